import { CursorExpiredError } from '../../sync/types';

/**
 * The Outlook To Do cursor: the todoTask delta round of the product's list (GET …/todo/lists/{listId}/tasks/delta),
 * as the link Graph gave last, the list it belongs to, and whether that round is still the initial one (whose pages
 * list the whole list: a full listing for the engine).
 */

export interface OutlookTodoCursor {
  v: 1;
  listId: string;
  /** The @odata.nextLink of an unfinished round, or the @odata.deltaLink of a finished one. */
  link: string;
  /** The round is the initial one: its pages list every task. */
  full: boolean;
}

const PREFIX = 'outlook-todo:';

export function encodeTodoCursor(cursor: OutlookTodoCursor): string {
  return PREFIX + Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** A cursor we cannot read (another kind's, another version's) is expired: the engine then lists everything. */
export function decodeTodoCursor(text: string): OutlookTodoCursor {
  if (!text.startsWith(PREFIX)) throw new CursorExpiredError('not an Outlook To Do cursor');
  let state: Partial<OutlookTodoCursor>;
  try {
    state = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch (err) {
    throw new CursorExpiredError(`unreadable Outlook To Do cursor: ${(err as Error).message}`);
  }
  if (
    state?.v !== 1 ||
    typeof state.listId !== 'string' ||
    !state.listId ||
    typeof state.link !== 'string' ||
    !state.link ||
    typeof state.full !== 'boolean'
  ) {
    throw new CursorExpiredError('unreadable Outlook To Do cursor: unexpected shape');
  }
  return state as OutlookTodoCursor;
}
