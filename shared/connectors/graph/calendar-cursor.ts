import { CursorExpiredError } from '../../sync/types';

/**
 * The Outlook calendar cursor: where the calendarView delta round stands, for which window, plus what the next
 * rounds need to know. Graph encodes the window in its tokens, so a deltaLink keeps following the window it was
 * started with; the window only moves when we start a new round (see OutlookCalendarAdapter.listChanges).
 */

export interface CalendarWindow {
  /** ISO instants, UTC midnight. */
  start: string;
  end: string;
}

export type LinkKind = 'next' | 'delta';

export interface CalendarCursorState {
  v: 1;
  window: CalendarWindow;
  /** Position in the active round; absent until its first page was read. */
  link?: string;
  linkKind?: LinkKind;
  /** The active round is an initial round: its pages list the whole window. */
  full: boolean;
  /** The previous window's delta round, drained once after the new window's initial round completes. */
  previous?: { link: string; linkKind: LinkKind };
  /** Series masters seen in the window, newest last: a deleted series shows up only as removed occurrences. */
  masters: string[];
}

const PREFIX = 'outlook-calendar:';
const DAY_MS = 86_400_000;

export function encodeCursor(state: CalendarCursorState): string {
  return PREFIX + Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CalendarCursorState {
  if (!cursor.startsWith(PREFIX)) throw new CursorExpiredError('not an Outlook calendar cursor');
  try {
    const state = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (state?.v !== 1 || !state.window?.start || !state.window?.end || !Array.isArray(state.masters)) {
      throw new Error('unexpected shape');
    }
    return state as CalendarCursorState;
  } catch (err) {
    throw new CursorExpiredError(`unreadable Outlook calendar cursor: ${(err as Error).message}`);
  }
}

/** Whole UTC days, so the window changes once a day rather than on every call. */
export function windowAt(nowMs: number, pastDays: number, futureDays: number): CalendarWindow {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  return {
    start: new Date(today - pastDays * DAY_MS).toISOString(),
    end: new Date(today + (futureDays + 1) * DAY_MS).toISOString(),
  };
}

export function freshState(window: CalendarWindow, masters: string[] = []): CalendarCursorState {
  return { v: 1, window, full: true, masters };
}
