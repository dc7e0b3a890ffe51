import type { IncomingMessage } from 'node:http';

/**
 * If-Match on an Outlook item (RFC 9110 §13.1.1): `*` matches any existing item, otherwise one of the listed entity
 * tags must name the item's current changeKey. Outlook's @odata.etag is the changeKey in a weak tag (W/"…"), and
 * that form is what clients send back, so the tag is compared by its opaque value, with or without W/.
 */

/** undefined = no If-Match header: the write is unconditional. */
export function ifMatchHeader(req: IncomingMessage): string | undefined {
  const raw = req.headers['if-match'];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** True when the request may write an item at this changeKey: no If-Match, or one that names it. */
export function ifMatchAllows(req: IncomingMessage, changeKey: string): boolean {
  const header = ifMatchHeader(req);
  return header === undefined || ifMatchHolds(header, changeKey);
}

export function ifMatchHolds(header: string, changeKey: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || opaqueValue(tag) === changeKey);
}

function opaqueValue(tag: string): string | undefined {
  const match = /^(?:W\/)?"([^"]*)"$/.exec(tag);
  return match?.[1];
}

/**
 * What Outlook answers when the change key does not match: 412 ErrorIrresolvableConflict
 * (observed, msgraph-sdk-dotnet#1201; Outlook does not document If-Match).
 */
export const STALE_CHANGE_KEY = {
  status: 412,
  code: 'ErrorIrresolvableConflict',
  message:
    'The send or update operation could not be performed because the change key passed in the request does not ' +
    'match the current change key for the item.',
} as const;
