import fc from 'fast-check';
import { delaySecondsUntil, nextPollAt, pollOffsetMs } from '../../../shared/app/pipeline/poll-slots';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

describe('poll slots', () => {
  test('the next slot is after now, within one interval, and on the folder offset', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 1000, max: 86_400_000 }),
        fc.integer({ min: 0, max: 4e12 }),
        (key, interval, now) => {
          const at = nextPollAt(key, interval, now);
          expect(at).toBeGreaterThan(now);
          expect(at - now).toBeLessThanOrEqual(interval);
          expect(((at % interval) + interval) % interval).toBe(pollOffsetMs(key, interval) % interval);
        },
      ),
      fastCheckRuns(runsFrom('PROPERTY_RUNS', 200)),
    );
  });

  test('10,000 folders polled every minute fall evenly over the minute, without waves', () => {
    const interval = 60_000;
    const perSecond = new Array<number>(60).fill(0);
    for (let i = 0; i < 10_000; i++)
      perSecond[Math.floor(pollOffsetMs(`pair-${i}|mail|dingtalk`, interval) / 1000)]++;
    const mean = 10_000 / 60;
    for (const count of perSecond) expect(Math.abs(count - mean)).toBeLessThan(mean * 0.3);
  });

  test('queue delays never exceed the seven days a message may stay invisible', () => {
    expect(delaySecondsUntil(Date.now() + 30 * 86_400_000, Date.now())).toBe(7 * 24 * 3600);
    expect(delaySecondsUntil(1000, 5000)).toBe(0);
    expect(delaySecondsUntil(5500, 5000)).toBe(1);
  });
});
