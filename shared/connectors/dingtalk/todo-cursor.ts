import { createHash } from 'node:crypto';
import { CursorExpiredError } from '../../sync/types';

/**
 * Where the DingTalk to-do listing stands. QueryTodoTasks has no sync token and no filter on modification time, so
 * the cursor is a watermark: the newest modifiedTime seen, and the ids seen at exactly that millisecond (so they
 * are not reported again, while another to-do changed in the same millisecond still is). Live to-dos and the
 * recycle bin (deletions) are read as two listings with a watermark each, plus the live count last seen: an
 * unchanged count and nothing newer than the watermark prove that nothing was deleted either.
 */

export interface Watermark {
  /** modifiedTime (epoch ms) of the newest card seen; 0 before any. */
  at: number;
  /** Ids of the cards seen with exactly that modifiedTime. */
  ids: string[];
}

export interface TodoCursor {
  /** Live to-dos (isRecycled false). */
  live: Watermark;
  /** The recycle bin: deleted to-dos, whose modifiedTime moved when they were deleted. */
  recycled: Watermark;
  /** totalCount of the live listing when it was last read; undefined when DingTalk did not say. */
  count?: number;
}

const TYPE = 'dingtalk-todo';
const VERSION = 1;

interface Wire {
  t: string;
  v: number;
  /** Short hash of the user's unionId: a cursor of another user is foreign. */
  u: string;
  lw: number;
  l: string[];
  rw: number;
  r: string[];
  n?: number;
}

export function encodeTodoCursor(unionId: string, c: TodoCursor): string {
  const wire: Wire = {
    t: TYPE,
    v: VERSION,
    u: userTag(unionId),
    lw: c.live.at,
    l: c.live.ids,
    rw: c.recycled.at,
    r: c.recycled.ids,
  };
  if (c.count !== undefined) wire.n = c.count;
  return JSON.stringify(wire);
}

/** A cursor we cannot read, of another version, kind or user, is expired: the engine then lists everything. */
export function decodeTodoCursor(unionId: string, text: string): TodoCursor {
  let wire: Partial<Wire>;
  try {
    wire = JSON.parse(text) as Partial<Wire>;
  } catch {
    throw expired(text, 'not JSON');
  }
  if (typeof wire !== 'object' || wire === null || wire.t !== TYPE) throw expired(text, 'not a to-do cursor');
  if (wire.v !== VERSION) throw expired(text, `version ${String(wire.v)}`);
  if (wire.u !== userTag(unionId)) throw expired(text, 'another user');
  if (!isStamp(wire.lw) || !isStamp(wire.rw) || !isIds(wire.l) || !isIds(wire.r))
    throw expired(text, 'malformed');
  if (wire.n !== undefined && !isStamp(wire.n)) throw expired(text, 'malformed count');
  const cursor: TodoCursor = {
    live: { at: wire.lw, ids: wire.l },
    recycled: { at: wire.rw, ids: wire.r },
  };
  if (wire.n !== undefined) cursor.count = wire.n;
  return cursor;
}

const userTag = (unionId: string) => createHash('sha256').update(unionId).digest('base64url').slice(0, 8);

const isStamp = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

const isIds = (v: unknown): v is string[] => Array.isArray(v) && v.every((id) => typeof id === 'string');

const expired = (text: string, why: string) =>
  new CursorExpiredError(`unusable DingTalk to-do cursor (${why}): ${JSON.stringify(text.slice(0, 40))}`);
