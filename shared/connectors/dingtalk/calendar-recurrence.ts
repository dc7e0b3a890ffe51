import type { Recurrence, Weekday } from '../../sync/calendar-event';
import type { WireRecurrence } from './calendar-wire';
import { instantToLocal, localToInstant } from '../../sync/zoned-time';

/**
 * DingTalk's recurrence is Graph-shaped (DingTalk's documentation) with three differences handled here:
 * daysOfWeek is one comma-separated string, there is no month (yearly series take the start's month) and no
 * range start (the series starts with the event), and range.endDate is a UTC instant "yyyy-MM-ddTHH:mmZ", not a
 * date. We write the end date as 23:59 on that day in the event's zone and read it back as the day it falls on
 * in that zone, so the last day survives the round trip in every zone.
 */

const PATTERN_TYPES = [
  'daily',
  'weekly',
  'absoluteMonthly',
  'relativeMonthly',
  'absoluteYearly',
  'relativeYearly',
] as const;
const RANGE_TYPES = ['endDate', 'noEnd', 'numbered'] as const;
const WEEKDAYS: readonly Weekday[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];
const INDEXES = ['first', 'second', 'third', 'fourth', 'last'] as const;

type PatternType = Recurrence['pattern']['type'];

const usesDaysOfWeek = (t: PatternType) =>
  t === 'weekly' || t === 'relativeMonthly' || t === 'relativeYearly';
const usesDayOfMonth = (t: PatternType) => t === 'absoluteMonthly' || t === 'absoluteYearly';
const usesIndex = (t: PatternType) => t === 'relativeMonthly' || t === 'relativeYearly';
const isYearly = (t: PatternType) => t === 'absoluteYearly' || t === 'relativeYearly';

const oneOf = <T extends string>(values: readonly T[], value: string | undefined): T | undefined =>
  values.find((v) => v === value);

function weekdaysOf(text: string | undefined): Weekday[] {
  return (text ?? '')
    .split(/[\s,;]+/)
    .map((d) => d.toLowerCase())
    .filter((d): d is Weekday => (WEEKDAYS as readonly string[]).includes(d));
}

/** startDate: the first occurrence's local date ("2026-11-23"); zone: the zone the event's times are in. */
export function recurrenceFromWire(
  wire: WireRecurrence | undefined,
  startDate: string,
  zone: string,
): Recurrence | undefined {
  const type = oneOf(PATTERN_TYPES, wire?.pattern?.type);
  if (!wire || !type) return undefined;
  const p = wire.pattern!;
  const pattern: Recurrence['pattern'] = { type, interval: p.interval && p.interval > 0 ? p.interval : 1 };
  if (usesDaysOfWeek(type)) pattern.daysOfWeek = weekdaysOf(p.daysOfWeek);
  if (usesDayOfMonth(type) && p.dayOfMonth) pattern.dayOfMonth = p.dayOfMonth;
  if (isYearly(type)) pattern.month = Number(startDate.slice(5, 7));
  const index = oneOf(INDEXES, p.index);
  if (usesIndex(type) && index) pattern.index = index;
  const firstDay = oneOf(WEEKDAYS, p.firstDayOfWeek);
  if (type === 'weekly' && firstDay) pattern.firstDayOfWeek = firstDay;

  const rangeType = oneOf(RANGE_TYPES, wire.range?.type) ?? 'noEnd';
  const range: Recurrence['range'] = { type: rangeType, startDate };
  if (rangeType === 'endDate' && wire.range?.endDate) {
    range.endDate = instantToLocal(Date.parse(wire.range.endDate), zone).slice(0, 10);
  }
  if (rangeType === 'numbered') range.numberOfOccurrences = wire.range?.numberOfOccurrences ?? 1;
  return { pattern, range };
}

export function recurrenceToWire(r: Recurrence, zone: string): WireRecurrence {
  const { type } = r.pattern;
  const pattern: NonNullable<WireRecurrence['pattern']> = { type, interval: r.pattern.interval };
  if (usesDaysOfWeek(type) && r.pattern.daysOfWeek?.length)
    pattern.daysOfWeek = r.pattern.daysOfWeek.join(',');
  if (usesDayOfMonth(type) && r.pattern.dayOfMonth) pattern.dayOfMonth = r.pattern.dayOfMonth;
  if (usesIndex(type) && r.pattern.index) pattern.index = r.pattern.index;
  if (type === 'weekly' && r.pattern.firstDayOfWeek) pattern.firstDayOfWeek = r.pattern.firstDayOfWeek;

  const range: NonNullable<WireRecurrence['range']> = { type: r.range.type };
  if (r.range.type === 'endDate' && r.range.endDate) {
    range.endDate = utcMinute(localToInstant(`${r.range.endDate}T23:59:00`, zone));
  }
  if (r.range.type === 'numbered') range.numberOfOccurrences = r.range.numberOfOccurrences ?? 1;
  return { pattern, range };
}

/** "yyyy-MM-ddTHH:mmZ", the format DingTalk documents for range.endDate. */
function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}
