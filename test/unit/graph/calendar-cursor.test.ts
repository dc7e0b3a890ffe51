import {
  decodeCursor,
  encodeCursor,
  freshState,
  windowAt,
} from '../../../shared/connectors/graph/calendar-cursor';
import { CursorExpiredError } from '../../../shared/sync/types';

describe('Outlook calendar cursor', () => {
  test('the window is whole UTC days and only moves when the day changes', () => {
    const at = (iso: string) => windowAt(Date.parse(iso), 30, 365);
    expect(at('2026-11-22T08:00:00Z')).toEqual({
      start: '2026-10-23T00:00:00.000Z',
      end: '2027-11-23T00:00:00.000Z',
    });
    expect(at('2026-11-22T23:59:59Z')).toEqual(at('2026-11-22T00:00:00Z'));
    expect(at('2026-11-23T00:00:00Z').start).toBe('2026-10-24T00:00:00.000Z');
  });

  test('round trips, and anything unreadable counts as an expired cursor', () => {
    const state = {
      ...freshState(windowAt(0, 1, 1), ['m1']),
      link: 'https://x/delta?$deltatoken=a',
      linkKind: 'delta' as const,
    };
    expect(decodeCursor(encodeCursor(state))).toEqual(state);
    expect(() => decodeCursor('garbage')).toThrow(CursorExpiredError);
    expect(() => decodeCursor('outlook-calendar:bm90IGpzb24')).toThrow(CursorExpiredError);
  });
});
