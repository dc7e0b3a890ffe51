import { formatOffset, localToInstant, localWithOffset, zonedToUtc } from '../../../shared/sync/zoned-time';

describe('wall-clock time to instant across daylight-saving changes', () => {
  test.each([
    ['Europe/London', '2026-10-25T01:30:00', '2026-10-25T00:30:00.000Z'],
    ['Europe/Berlin', '2026-10-25T02:30:00', '2026-10-25T00:30:00.000Z'],
    ['Australia/Sydney', '2026-04-05T02:30:00', '2026-04-04T15:30:00.000Z'],
    ['America/New_York', '2026-11-01T01:30:00', '2026-11-01T05:30:00.000Z'],
  ])('a repeated hour in %s takes the earlier instant', (zone, local, earlier) => {
    expect(new Date(localToInstant(local, zone)).toISOString()).toBe(earlier);
    expect(zonedToUtc(local, zone)).toBe(earlier);
  });

  test.each([
    ['Europe/London', '2026-03-29T01:30:00', '2026-03-29T01:30:00.000Z'],
    ['America/New_York', '2026-03-08T02:30:00', '2026-03-08T07:30:00.000Z'],
  ])('a skipped hour in %s moves forward by the gap', (zone, local, instant) => {
    expect(new Date(localToInstant(local, zone)).toISOString()).toBe(instant);
    expect(zonedToUtc(local, zone)).toBe(instant);
  });

  test('ordinary times are exact, including zones without daylight saving', () => {
    expect(new Date(localToInstant('2026-11-23T09:30:00', 'Asia/Shanghai')).toISOString()).toBe(
      '2026-11-23T01:30:00.000Z',
    );
    expect(new Date(localToInstant('2026-07-01T12:00:00', 'Europe/London')).toISOString()).toBe(
      '2026-07-01T11:00:00.000Z',
    );
  });
});

describe('offsets as ISO 8601 writes them', () => {
  test('whole hours and minutes, either sign', () => {
    expect(formatOffset(480)).toBe('+08:00');
    expect(formatOffset(345)).toBe('+05:45');
    expect(formatOffset(-210)).toBe('-03:30');
    expect(formatOffset(0)).toBe('+00:00');
  });

  test('an offset of local mean time, off UTC by seconds, is written in whole minutes', () => {
    expect(formatOffset(8 * 60 + 5 + 43 / 60)).toBe('+08:05');
    expect(formatOffset(-(4 * 60 + 56 + 2 / 60))).toBe('-04:56');
    expect(localWithOffset('1900-06-01T09:00:00', 'Asia/Shanghai')).toBe('1900-06-01T09:00:00+08:05');
  });
});
