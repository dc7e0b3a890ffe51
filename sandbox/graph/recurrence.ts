import type { GraphPatternedRecurrence } from '../../shared/connectors/graph/wire-types';

/**
 * Dates on which a patternedRecurrence occurs, as Outlook expands a series: every date from range.startDate that
 * matches the pattern, until range.endDate (inclusive) or numberOfOccurrences. Times are applied by the caller.
 */

const DAY_MS = 86_400_000;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEXES = ['first', 'second', 'third', 'fourth'];
/** Safety bound: ten years of daily occurrences. */
const MAX_DAYS = 3660;

const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekdayOf = (day: number) => (day + 4) % 7; // 1970-01-01 was a Thursday
const monthsBetween = (a: Date, b: Date) =>
  (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();

/** Dates (YYYY-MM-DD) of the series up to and including lastDate. */
export function occurrenceDates(recurrence: GraphPatternedRecurrence, lastDate: string): string[] {
  const { pattern, range } = recurrence;
  if (!pattern?.type || !range?.startDate) return [];
  const interval = Math.max(1, pattern.interval ?? 1);
  const first = dayNumber(range.startDate);
  const rangeEnd = range.type === 'endDate' && range.endDate ? dayNumber(range.endDate) : Infinity;
  const limit = Math.min(rangeEnd, dayNumber(lastDate), first + MAX_DAYS);
  const maxCount = range.type === 'numbered' ? (range.numberOfOccurrences ?? 0) : Infinity;
  const days = new Set((pattern.daysOfWeek ?? []).map((d) => WEEKDAYS.indexOf(d)));
  const firstDayOfWeek = WEEKDAYS.indexOf(pattern.firstDayOfWeek ?? 'sunday');
  const startDate = new Date(first * DAY_MS);
  const weekStart = (day: number) => day - ((weekdayOf(day) - firstDayOfWeek + 7) % 7);

  const matches = (day: number): boolean => {
    const d = new Date(day * DAY_MS);
    switch (pattern.type) {
      case 'daily':
        return (day - first) % interval === 0;
      case 'weekly':
        return days.has(weekdayOf(day)) && ((weekStart(day) - weekStart(first)) / 7) % interval === 0;
      case 'absoluteMonthly':
        return d.getUTCDate() === pattern.dayOfMonth && monthsBetween(startDate, d) % interval === 0;
      case 'relativeMonthly':
        return monthsBetween(startDate, d) % interval === 0 && isRelativeDay(day, days, pattern.index);
      case 'absoluteYearly':
        return (
          d.getUTCMonth() + 1 === pattern.month &&
          d.getUTCDate() === pattern.dayOfMonth &&
          (d.getUTCFullYear() - startDate.getUTCFullYear()) % interval === 0
        );
      case 'relativeYearly':
        return (
          d.getUTCMonth() + 1 === pattern.month &&
          (d.getUTCFullYear() - startDate.getUTCFullYear()) % interval === 0 &&
          isRelativeDay(day, days, pattern.index)
        );
      default:
        return false;
    }
  };

  const out: string[] = [];
  let count = 0;
  for (let day = first; day <= limit && count < maxCount; day++) {
    if (!matches(day)) continue;
    count++;
    out.push(dateOf(day));
  }
  return out;
}

/** "The {index} of the month's days that fall on one of daysOfWeek" (e.g. first weekday, last Friday). */
function isRelativeDay(day: number, days: Set<number>, index: string | undefined): boolean {
  if (!days.has(weekdayOf(day))) return false;
  const d = new Date(day * DAY_MS);
  const monthStart = day - (d.getUTCDate() - 1);
  const monthLength = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const matching: number[] = [];
  for (let x = monthStart; x < monthStart + monthLength; x++) if (days.has(weekdayOf(x))) matching.push(x);
  const position = index === 'last' ? matching.length - 1 : INDEXES.indexOf(index ?? 'first');
  return matching[position] === day;
}
