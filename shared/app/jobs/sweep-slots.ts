/**
 * Which pairs a sweep run serves, as pure arithmetic. Every pair has a stable slot on a circle of `slotCount`
 * slots (a hash of its id, see sweepSlotOf). A sweep period of P minutes walks the circle once: minute m of the
 * period serves slots [⌊m·S/P⌋, ⌊(m+1)·S/P⌋). So each slot is served exactly once per period, each minute serves
 * ⌊S/P⌋ or ⌈S/P⌉ slots, and a run reads only the pairs of its own slots.
 */

export const MINUTE_MS = 60_000;

/** A half-open range of slots [from, to). */
export type SlotRange = readonly [from: number, to: number];

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS);

/** The sweep period in whole minutes (at least one). */
export const periodMinutes = (intervalMs: number): number => Math.max(1, Math.round(intervalMs / MINUTE_MS));

const phaseOf = (minute: number, period: number): number => ((minute % period) + period) % period;

/** The slots served in one (absolute) minute. */
export function slotsOfMinute(minute: number, period: number, slotCount: number): SlotRange {
  const phase = phaseOf(minute, period);
  return [Math.floor((phase * slotCount) / period), Math.floor(((phase + 1) * slotCount) / period)];
}

/** The slots served by minutes first..last (inclusive), as at most two non-empty ranges that never wrap. */
export function slotRanges(first: number, last: number, period: number, slotCount: number): SlotRange[] {
  if (last < first) return [];
  if (last - first + 1 >= period) return [[0, slotCount]];
  const [from] = slotsOfMinute(first, period, slotCount);
  const [, to] = slotsOfMinute(last, period, slotCount);
  const ranges: SlotRange[] =
    phaseOf(first, period) <= phaseOf(last, period)
      ? [[from, to]]
      : [
          [from, slotCount],
          [0, to],
        ];
  return ranges.filter(([a, b]) => a < b);
}

/**
 * The minutes a run serves, given the last minute served (undefined: never ran) and the current minute. Minutes the
 * timer missed are caught up, at most `maxMinutes` per run; a gap longer than the period is cut to one period,
 * which already serves every slot once.
 */
export function minutesToServe(
  lastServed: number | undefined,
  now: number,
  period: number,
  maxMinutes: number,
): { first: number; last: number } {
  if (lastServed === undefined) return { first: now, last: now };
  const first = now - lastServed > period ? now - period + 1 : lastServed + 1;
  return { first, last: Math.min(now, first + Math.max(1, maxMinutes) - 1) };
}
