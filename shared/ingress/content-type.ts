/** True for `application/json` with any parameters (charset=utf-8 and the like), whatever the case. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (typeof contentType !== 'string') return false;
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === 'application/json';
}
