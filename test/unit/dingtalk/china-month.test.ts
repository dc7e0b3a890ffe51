import {
  chinaMonthOf,
  chinaMonthStart,
  nextChinaMonthStart,
} from '../../../shared/connectors/dingtalk/china-month';

test('a China-time month starts and ends at 16:00 UTC the day before', () => {
  const lateUtc = Date.parse('2026-11-30T17:00:00Z'); // already 1 December in China
  expect(chinaMonthOf(lateUtc)).toBe('2026-12');
  expect(new Date(chinaMonthStart(lateUtc)).toISOString()).toBe('2026-11-30T16:00:00.000Z');
  expect(new Date(nextChinaMonthStart(lateUtc)).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  const earlyUtc = Date.parse('2026-11-30T15:59:59Z'); // still November in China
  expect(new Date(chinaMonthStart(earlyUtc)).toISOString()).toBe('2026-10-31T16:00:00.000Z');
});
