/**
 * Mailbox names travel as modified UTF-7 (RFC 3501 §5.1.3): printable ASCII as itself ("&" as "&-"), anything
 * else as "&" + base64 of UTF-16BE with "," for "/" + "-". The real server's folders have Chinese names.
 */

export function encodeMailboxName(name: string): string {
  let out = '';
  let pending = '';
  const flush = (): void => {
    if (!pending) return;
    const utf16 = Buffer.alloc(pending.length * 2);
    for (let i = 0; i < pending.length; i++) utf16.writeUInt16BE(pending.charCodeAt(i), i * 2);
    out += `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    pending = '';
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += code === 0x26 ? '&-' : name[i];
    } else {
      pending += name[i];
    }
  }
  flush();
  return out;
}

export function decodeMailboxName(wire: string): string {
  return wire.replace(/&([^-]*)-/g, (_, b64: string) => {
    if (!b64) return '&';
    const utf16 = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    let text = '';
    for (let i = 0; i + 1 < utf16.length; i += 2) text += String.fromCharCode(utf16.readUInt16BE(i));
    return text;
  });
}
