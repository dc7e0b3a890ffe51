import fc from 'fast-check';
import {
  decodeCursor,
  encodeCursor,
  type CalendarCursor,
} from '../../../shared/connectors/dingtalk/calendar-cursor';
import { decodeDescription, encodeDescription } from '../../../shared/connectors/dingtalk/description-codec';
import {
  instantToLocal,
  localToInstant,
  localWithOffset,
  parseDateTime,
} from '../../../shared/sync/zoned-time';
import { CursorExpiredError } from '../../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('PROPERTY_RUNS', 100));

describe('zoned time', () => {
  test('wall time ↔ instant, with the offset the zone has on that day', () => {
    expect(localWithOffset('2026-11-23T09:30:00', 'Asia/Shanghai')).toBe('2026-11-23T09:30:00+08:00');
    expect(localWithOffset('2026-03-29T12:00:00', 'Europe/Berlin')).toBe('2026-03-29T12:00:00+02:00');
    expect(localWithOffset('2026-01-10T08:00:00', 'Asia/Kolkata')).toBe('2026-01-10T08:00:00+05:30');
    expect(localWithOffset('2026-01-10T08:00:00', 'America/St_Johns')).toBe('2026-01-10T08:00:00-03:30');
  });

  test('a wall time inside a spring-forward gap moves forward by the gap', () => {
    // 02:30 does not exist in New York on 2026-03-08.
    expect(
      instantToLocal(localToInstant('2026-03-08T02:30:00', 'America/New_York'), 'America/New_York'),
    ).toBe('2026-03-08T03:30:00');
  });

  test('a dateTime without offset is read as wall time in the given zone', () => {
    expect(parseDateTime('2026-11-23T09:30:00', 'Asia/Shanghai')).toBe(Date.parse('2026-11-23T01:30:00Z'));
    expect(parseDateTime('2026-11-23T09:30:00-05:00', 'Asia/Shanghai')).toBe(
      Date.parse('2026-11-23T14:30:00Z'),
    );
  });

  test('property: any instant shown in a zone converts back to the same instant (outside overlaps)', () => {
    const zones = ['Asia/Shanghai', 'Europe/London', 'America/Los_Angeles', 'Australia/Lord_Howe', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2000-01-01T00:00:00Z') / 1000,
          max: Date.parse('2040-01-01T00:00:00Z') / 1000,
        }),
        fc.constantFrom(...zones),
        (seconds, zone) => {
          const ms = seconds * 1000;
          const local = instantToLocal(ms, zone);
          const back = localToInstant(local, zone);
          // In a fall-back overlap the earlier instant wins; both show the same wall time.
          expect(instantToLocal(back, zone)).toBe(local);
          expect(back).toBeLessThanOrEqual(ms);
        },
      ),
      RUNS,
    );
  });
});

describe('description codec', () => {
  test('property: body, join link and origin key all come back exactly', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.webUrl(), { nil: undefined }),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        (body, joinUrl, originKey) => {
          fc.pre(!/(^|\n\n)Online meeting: \S+$/.test(body));
          fc.pre(!/[\u2062\u2064]/.test(body));
          const decoded = decodeDescription(encodeDescription(body, { joinUrl, originKey }));
          expect(decoded).toEqual({ body, joinUrl, originKey });
        },
      ),
      RUNS,
    );
  });

  test('CJK text and % survive, and the stamp adds nothing visible', () => {
    const text = encodeDescription('会议 100% 准时', { originKey: 'dms-00ff' });
    expect(text.replace(/[\u200B-\u200D\u2060-\u2064]/g, '')).toBe('会议 100% 准时');
    expect(decodeDescription(text)).toEqual({
      body: '会议 100% 准时',
      joinUrl: undefined,
      originKey: 'dms-00ff',
    });
  });
});

describe('calendar cursor', () => {
  test('every kind round-trips, tokens with colons included', () => {
    const cursors: CalendarCursor[] = [
      { kind: 'sync', syncToken: 'a:b:c' },
      { kind: 'page', listing: 'full', nextToken: 'n:1' },
      { kind: 'page', listing: 'delta', nextToken: 'x' },
      { kind: 'relist' },
    ];
    for (const c of cursors) expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });

  test('an unreadable cursor is an expired one', () => {
    for (const bad of ['', 'garbage', 'dt1:sync:', 'dt1:page:half:x', 'dt2:sync:t']) {
      expect(() => decodeCursor(bad)).toThrow(CursorExpiredError);
    }
  });
});
