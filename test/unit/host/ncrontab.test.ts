import { firesMoreThanOncePerMinute, parseNcrontab } from '../../../sandbox/host/timers/ncrontab';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

test('day-of-month AND day-of-week must both match, as in NCrontab: 0 0 0 13 * 5 is Friday the 13th', () => {
  const schedule = parseNcrontab('0 0 0 13 * 5');
  expect(iso(schedule.nextOccurrences(3, new Date('2026-01-01T00:00:00Z')))).toEqual([
    '2026-02-13T00:00:00.000Z',
    '2026-03-13T00:00:00.000Z',
    '2026-11-13T00:00:00.000Z',
  ]);
});

test('six fields start with seconds', () => {
  expect(iso(parseNcrontab('*/15 * * * * *').nextOccurrences(2, new Date('2026-05-01T10:00:01Z')))).toEqual([
    '2026-05-01T10:00:15.000Z',
    '2026-05-01T10:00:30.000Z',
  ]);
});

test('five fields start with minutes', () => {
  expect(iso(parseNcrontab('30 9 * * 1-5').nextOccurrences(2, new Date('2026-05-01T10:00:00Z')))).toEqual([
    '2026-05-04T09:30:00.000Z',
    '2026-05-05T09:30:00.000Z',
  ]);
});

test('names of months and days are accepted in any case; times are UTC', () => {
  expect(
    iso(parseNcrontab('0 0 12 * Jan-Feb mon').nextOccurrences(1, new Date('2026-01-01T00:00:00Z'))),
  ).toEqual(['2026-01-05T12:00:00.000Z']);
});

test('the next occurrence is strictly after the given time', () => {
  expect(parseNcrontab('0 */5 * * * *').next(new Date('2026-05-01T10:05:00Z')).toISOString()).toBe(
    '2026-05-01T10:10:00.000Z',
  );
});

test('expressions NCRONTAB does not accept are rejected', () => {
  expect(() => parseNcrontab('0 0 0 1 1 * 2027')).toThrow(/5 or 6 fields/);
  expect(() => parseNcrontab('0 0 0 L * *')).toThrow(/not recognized/);
  expect(() => parseNcrontab('0 0 0 ? * MON#2')).toThrow(/not recognized/);
  expect(() => parseNcrontab('0 0 25 * * *')).toThrow(/not recognized/);
});

test('a schedule with more than one occurrence in the next minute counts as sub-minute (monitoring off)', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  expect(firesMoreThanOncePerMinute(parseNcrontab('*/10 * * * * *'), now)).toBe(true);
  expect(firesMoreThanOncePerMinute(parseNcrontab('0 * * * * *'), now)).toBe(false);
  expect(firesMoreThanOncePerMinute(parseNcrontab('0 0 * * * *'), now)).toBe(false);
});
