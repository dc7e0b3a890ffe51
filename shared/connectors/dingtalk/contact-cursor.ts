import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CursorExpiredError } from '../../sync/types';

/**
 * The DingTalk external-contact cursor: what the user's contacts were at the last listing, as `id:version8` pairs
 * (the first 8 characters of each contact's content-hash version). DingTalk has neither a change feed nor
 * modification times for external contacts, so the next listing is diffed against this: a new id or another
 * version is a change, an id that is no longer there a deletion.
 *
 * "dtc1:" + the pairs joined by ","; once that is long (a colleague following many hundreds of contacts) it is
 * stored deflated as "dtc1z:" + base64url, to stay well inside a Table Storage string property (64 KiB).
 */

const PREFIX = 'dtc1:';
const DEFLATED = 'dtc1z:';
const DEFLATE_FROM_CHARS = 8_000;
export const CURSOR_VERSION_CHARS = 8;

/** id → first 8 characters of its version. */
export type ContactCursor = Map<string, string>;

export function encodeContactCursor(entries: Iterable<readonly [id: string, version: string]>): string {
  const text = [...entries]
    .map(([id, version]) => `${encodeURIComponent(id)}:${version.slice(0, CURSOR_VERSION_CHARS)}`)
    .join(',');
  if (text.length < DEFLATE_FROM_CHARS) return PREFIX + text;
  return DEFLATED + deflateRawSync(Buffer.from(text, 'utf8')).toString('base64url');
}

/** A cursor we cannot read is treated as expired: the engine then lists everything again, which never deletes. */
export function decodeContactCursor(cursor: string): ContactCursor {
  let text: string;
  if (cursor.startsWith(PREFIX)) text = cursor.slice(PREFIX.length);
  else if (cursor.startsWith(DEFLATED)) {
    try {
      text = inflateRawSync(Buffer.from(cursor.slice(DEFLATED.length), 'base64url')).toString('utf8');
    } catch (err) {
      throw expired(cursor, (err as Error).message);
    }
  } else throw expired(cursor, 'not a DingTalk external-contact cursor');
  const entries: ContactCursor = new Map();
  if (text === '') return entries;
  for (const pair of text.split(',')) {
    const m = /^([^:]+):([A-Za-z0-9_-]{1,16})$/.exec(pair);
    if (!m) throw expired(cursor, `bad entry ${JSON.stringify(pair.slice(0, 40))}`);
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      throw expired(cursor, 'bad id');
    }
    entries.set(id, m[2]!);
  }
  return entries;
}

function expired(cursor: string, why: string): CursorExpiredError {
  return new CursorExpiredError(
    `unreadable DingTalk external-contact cursor ${JSON.stringify(cursor.slice(0, 40))}: ${why}`,
  );
}
