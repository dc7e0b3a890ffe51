import { CursorExpiredError } from '../../sync/types';

/**
 * The Outlook contact cursor: where the delta round over the product's contact folder stands. Graph keeps the
 * first request's $select in its links, so the cursor holds the link, the folder it belongs to (delta is per
 * folder; a folder made again after the person deleted it starts over) and whether the round is an initial one.
 */

export interface ContactCursorState {
  v: 1;
  folderId: string;
  /** nextLink or deltaLink to read next; absent before the first page of an initial round. */
  link?: string;
  /** The active round is an initial round: its pages list every contact of the folder. */
  full: boolean;
}

const PREFIX = 'outlook-contact:';

export function encodeContactCursor(state: ContactCursorState): string {
  return PREFIX + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeContactCursor(cursor: string, folderId: string): ContactCursorState {
  if (!cursor.startsWith(PREFIX)) throw new CursorExpiredError('not an Outlook contact cursor');
  let state: ContactCursorState;
  try {
    state = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch (err) {
    throw new CursorExpiredError(`unreadable Outlook contact cursor: ${(err as Error).message}`);
  }
  if (
    state?.v !== 1 ||
    typeof state.folderId !== 'string' ||
    typeof state.full !== 'boolean' ||
    (state.link !== undefined && typeof state.link !== 'string')
  ) {
    throw new CursorExpiredError('unreadable Outlook contact cursor: unexpected shape');
  }
  if (state.folderId !== folderId) {
    throw new CursorExpiredError('the Outlook contact cursor belongs to another (earlier) contact folder');
  }
  return state;
}
