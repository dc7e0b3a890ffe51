import fc from 'fast-check';
import {
  minutesToServe,
  slotRanges,
  slotsOfMinute,
  type SlotRange,
} from '../../../shared/app/jobs/sweep-slots';
import { SWEEP_SLOTS, sweepSlotOf } from '../../../shared/store/user-repository';

/** How many times each slot is served by a list of ranges. */
function coverage(ranges: SlotRange[], slotCount: number): number[] {
  const times = new Array<number>(slotCount).fill(0);
  for (const [from, to] of ranges) for (let s = from; s < to; s++) times[s]++;
  return times;
}

/** The minutes a timer serves when it fires at the given minutes (each run from the last served one). */
function serveRuns(
  runs: number[],
  period: number,
  maxMinutes: number,
): Array<{ first: number; last: number }> {
  const served: Array<{ first: number; last: number }> = [];
  let last: number | undefined;
  for (const now of runs) {
    const span = minutesToServe(last, now, period, maxMinutes);
    served.push(span);
    last = span.last;
  }
  return served;
}

const slotCounts = fc.integer({ min: 1, max: 2_000 });
const periods = fc.integer({ min: 1, max: 1_500 });
const minutes = fc.integer({ min: 0, max: 50_000_000 });

describe('sweep slots', () => {
  test('over any period of consecutive minutes, every slot is served exactly once', () => {
    fc.assert(
      fc.property(slotCounts, periods, minutes, (slotCount, period, start) => {
        const ranges: SlotRange[] = [];
        for (let m = start; m < start + period; m++) ranges.push(slotsOfMinute(m, period, slotCount));
        expect(coverage(ranges, slotCount).every((n) => n === 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('each minute serves the same number of slots within ±1', () => {
    fc.assert(
      fc.property(slotCounts, periods, (slotCount, period) => {
        const sizes = Array.from({ length: period }, (_, m) => {
          const [from, to] = slotsOfMinute(m, period, slotCount);
          return to - from;
        });
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(Math.min(...sizes)).toBe(Math.floor(slotCount / period));
      }),
      { numRuns: 200 },
    );
  });

  test('a span of minutes is served by at most two ranges that never wrap, exactly as minute by minute', () => {
    fc.assert(
      fc.property(
        slotCounts,
        periods,
        minutes,
        fc.integer({ min: 1, max: 3_000 }),
        (slotCount, period, first, span) => {
          const last = first + span - 1;
          const ranges = slotRanges(first, last, period, slotCount);
          expect(ranges.length).toBeLessThanOrEqual(2);
          for (const [from, to] of ranges) expect(0 <= from && from < to && to <= slotCount).toBe(true);
          const oneByOne: SlotRange[] = [];
          for (let m = first; m <= Math.min(last, first + period - 1); m++)
            oneByOne.push(slotsOfMinute(m, period, slotCount));
          expect(coverage(ranges, slotCount)).toEqual(coverage(oneByOne, slotCount));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a timer that fires late or misses minutes still serves every slot exactly once per period, catching up boundedly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 200 }),
        (period, maxMinutes, gaps) => {
          // Runs at increasing minutes, none further apart than the catch-up bound or the period.
          const runs = [1_000];
          for (const gap of gaps) runs.push(runs[runs.length - 1] + Math.min(gap, maxMinutes, period));
          const served = serveRuns(runs, period, maxMinutes);
          for (const { first, last } of served) expect(last - first + 1).toBeLessThanOrEqual(maxMinutes);
          // Every minute after the first run is served exactly once, so each slot once per period.
          const minutesServed = served.flatMap(({ first, last }) =>
            Array.from({ length: last - first + 1 }, (_, i) => first + i),
          );
          const expected = Array.from({ length: runs[runs.length - 1] - 1_000 + 1 }, (_, i) => 1_000 + i);
          expect(minutesServed).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('after a gap longer than the period, the last period is served in bounded steps until the timer is current', () => {
    const period = 60;
    const runs = [0, ...Array.from({ length: 20 }, (_, i) => 500 + i)];
    const served = serveRuns(runs, period, 5);
    // Minutes 1..440 are skipped: serving 441..500 already reaches every slot once.
    expect(served[1]).toEqual({ first: 441, last: 445 });
    const minutesServed = served
      .slice(1)
      .flatMap(({ first, last }) => Array.from({ length: last - first + 1 }, (_, i) => first + i));
    expect(minutesServed).toEqual(Array.from({ length: 519 - 441 + 1 }, (_, i) => 441 + i));
    expect(served[served.length - 1]).toEqual({ first: 519, last: 519 });
    const firstPeriod = served
      .slice(1, 13)
      .flatMap(({ first, last }) => slotRanges(first, last, period, 600));
    expect(coverage(firstPeriod, 600).every((n) => n === 1)).toBe(true);
  });

  test('pair slots are stable and spread over the circle', () => {
    expect(sweepSlotOf('0b6c1f3a-1111-2222-3333-444455556666')).toBe(
      sweepSlotOf('0b6c1f3a-1111-2222-3333-444455556666'),
    );
    const perHour = new Array<number>(168).fill(0);
    for (let i = 0; i < 10_000; i++) perHour[Math.floor(sweepSlotOf(`pair-${i}`) / 60)]++;
    // 10,000 pairs over 168 hours of a week: about 60 each, none far off.
    expect(Math.min(...perHour)).toBeGreaterThan(30);
    expect(Math.max(...perHour)).toBeLessThan(95);
    expect(perHour.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(SWEEP_SLOTS).toBe(7 * 24 * 60);
  });
});
