import { CursorExpiredError } from '../../sync/types';

/**
 * The DingTalk calendar cursor we hand the engine: either a syncToken (caught up; next pull is incremental), a
 * nextToken in the middle of a listing (full or incremental: the next page continues it), or "relist" when
 * DingTalk ended a listing without a syncToken (the next pull lists everything again rather than guess).
 */
export type CalendarCursor =
  | { kind: 'sync'; syncToken: string }
  | { kind: 'page'; listing: 'full' | 'delta'; nextToken: string }
  | { kind: 'relist' };

const PREFIX = 'dt1';

export function encodeCursor(c: CalendarCursor): string {
  switch (c.kind) {
    case 'sync':
      return `${PREFIX}:sync:${c.syncToken}`;
    case 'page':
      return `${PREFIX}:page:${c.listing}:${c.nextToken}`;
    case 'relist':
      return `${PREFIX}:relist`;
  }
}

/** A cursor we cannot read is treated as expired: the engine then resyncs, which never deletes. */
export function decodeCursor(text: string): CalendarCursor {
  const [prefix, kind, ...rest] = text.split(':');
  if (prefix === PREFIX) {
    const token = (from: number) => rest.slice(from).join(':');
    if (kind === 'sync' && token(0)) return { kind: 'sync', syncToken: token(0) };
    if (kind === 'page' && (rest[0] === 'full' || rest[0] === 'delta') && token(1)) {
      return { kind: 'page', listing: rest[0], nextToken: token(1) };
    }
    if (kind === 'relist' && rest.length === 0) return { kind: 'relist' };
  }
  throw new CursorExpiredError(`unreadable DingTalk calendar cursor ${JSON.stringify(text.slice(0, 40))}`);
}
