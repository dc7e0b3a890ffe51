import { CursorExpiredError } from '../../sync/types';

/**
 * The Outlook mail cursor: where the folder's message delta round stands. Graph encodes the first request's options
 * (folder, $select, $expand, the receivedDateTime window) in its links, so the cursor only has to keep the link
 * and whether the round is an initial one (a full listing of the window).
 */

export interface MailCursorState {
  v: 1;
  folder: string;
  /** nextLink or deltaLink to read next; absent before the first page of an initial round. */
  link?: string;
  /** The active round is an initial round: its pages list every message in the window. */
  full: boolean;
}

const PREFIX = 'outlook-mail:';

export function encodeMailCursor(state: MailCursorState): string {
  return PREFIX + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeMailCursor(cursor: string, folder: string): MailCursorState {
  if (!cursor.startsWith(PREFIX)) throw new CursorExpiredError('not an Outlook mail cursor');
  let state: MailCursorState;
  try {
    state = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch (err) {
    throw new CursorExpiredError(`unreadable Outlook mail cursor: ${(err as Error).message}`);
  }
  if (state?.v !== 1 || typeof state.folder !== 'string' || typeof state.full !== 'boolean') {
    throw new CursorExpiredError('unreadable Outlook mail cursor: unexpected shape');
  }
  // Delta is per folder: a cursor of another folder must not be followed for this one.
  if (state.folder !== folder)
    throw new CursorExpiredError(`mail cursor of folder "${state.folder}", not "${folder}"`);
  return state;
}
