import { retryDelayMs } from '../../../shared/store/backoff';
import { assertDay, utcDay } from '../../../shared/store/day';

test('retry delays: 1 min, 5 min, 15 min, 1 h, then 6 h for ever', () => {
  const minutes = [1, 2, 3, 4, 5, 6, 50].map((n) => retryDelayMs(n) / 60_000);
  expect(minutes).toEqual([1, 5, 15, 60, 360, 360, 360]);
  expect(retryDelayMs(0)).toBe(60_000);
});

test('utcDay is the UTC calendar day, whatever the local time zone', () => {
  expect(utcDay(Date.parse('2026-11-22T23:59:59.999Z'))).toBe('20261122');
  expect(utcDay(Date.parse('2026-11-23T07:00:00+08:00'))).toBe('20261122');
  expect(() => utcDay(Number.NaN)).toThrow(RangeError);
  expect(() => assertDay('2026-11-22')).toThrow(/yyyyMMdd/);
});
