import fc from 'fast-check';
import { addDays, instantToLocal, localToInstant, normalizeLocal } from '../../../shared/sync/zoned-time';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('PROPERTY_RUNS', 100));

describe('zoned time', () => {
  test('wall time in a zone ↔ instant', () => {
    expect(localToInstant('2026-11-23T09:30:00', 'Asia/Shanghai')).toBe(Date.parse('2026-11-23T01:30:00Z'));
    expect(instantToLocal(Date.parse('2026-11-23T01:30:00Z'), 'Asia/Shanghai')).toBe('2026-11-23T09:30:00');
    expect(localToInstant('2026-07-01T09:00:00', 'Europe/Berlin')).toBe(Date.parse('2026-07-01T07:00:00Z'));
    expect(localToInstant('2026-01-01T09:00:00', 'Europe/Berlin')).toBe(Date.parse('2026-01-01T08:00:00Z'));
  });

  test('a time in the spring-forward gap moves forward; an ambiguous autumn time takes the earlier instant', () => {
    expect(
      instantToLocal(localToInstant('2026-03-08T02:30:00', 'America/New_York'), 'America/New_York'),
    ).toBe('2026-03-08T03:30:00');
    expect(localToInstant('2026-11-01T01:30:00', 'America/New_York')).toBe(
      Date.parse('2026-11-01T05:30:00Z'),
    );
  });

  test('instant → wall time → instant is stable in every zone (property)', () => {
    const zones = [
      'UTC',
      'Asia/Shanghai',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Adelaide',
      'Asia/Kathmandu',
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2040-01-01') }),
        fc.constantFrom(...zones),
        (ms, zone) => {
          const local = instantToLocal(ms, zone);
          expect(instantToLocal(localToInstant(local, zone), zone)).toBe(local);
        },
      ),
      RUNS,
    );
  });

  test('normalizeLocal and addDays', () => {
    expect(normalizeLocal('2026-11-23T09:30')).toBe('2026-11-23T09:30:00');
    expect(normalizeLocal('2026-11-23T09:30:00.0000000')).toBe('2026-11-23T09:30:00');
    expect(() => normalizeLocal('23/11/2026')).toThrow();
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });
});
