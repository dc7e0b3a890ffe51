/** Size caps are about bytes on the wire, and a JS string length counts UTF-16 units, so measure the UTF-8 form. */
export const utf8ByteLength = (text: string): number => Buffer.byteLength(text, 'utf8');
