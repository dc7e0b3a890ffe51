import type { Recurrence, Weekday } from '../../sync/calendar-event';
import type { GraphPatternedRecurrence } from './wire-types';

/**
 * patternedRecurrence ↔ canonical Recurrence. Graph returns every pattern field with defaults (dayOfMonth 0,
 * index "first", firstDayOfWeek "sunday", endDate "0001-01-01" for noEnd); the canonical form keeps only the
 * fields that mean something for the pattern type, so both sides hash the same series the same way.
 */

const WEEK_ORDER: Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const sortDays = (days: Weekday[] | undefined): Weekday[] =>
  [...new Set(days ?? [])].sort((a, b) => WEEK_ORDER.indexOf(a) - WEEK_ORDER.indexOf(b));

export function fromGraphRecurrence(r: GraphPatternedRecurrence | null | undefined): Recurrence | undefined {
  if (!r?.pattern?.type || !r.range?.type || !r.range.startDate) return undefined;
  const p = r.pattern;
  const pattern: Recurrence['pattern'] = {
    type: p.type!,
    interval: p.interval && p.interval > 0 ? p.interval : 1,
  };
  switch (pattern.type) {
    case 'weekly':
      pattern.daysOfWeek = sortDays(p.daysOfWeek);
      // The first day of the week only changes which weeks count when the series skips weeks.
      if (pattern.interval > 1 && p.firstDayOfWeek) pattern.firstDayOfWeek = p.firstDayOfWeek;
      break;
    case 'absoluteMonthly':
      pattern.dayOfMonth = p.dayOfMonth;
      break;
    case 'relativeMonthly':
      pattern.daysOfWeek = sortDays(p.daysOfWeek);
      pattern.index = p.index ?? 'first';
      break;
    case 'absoluteYearly':
      pattern.dayOfMonth = p.dayOfMonth;
      pattern.month = p.month;
      break;
    case 'relativeYearly':
      pattern.daysOfWeek = sortDays(p.daysOfWeek);
      pattern.index = p.index ?? 'first';
      pattern.month = p.month;
      break;
    case 'daily':
      break;
  }
  const range: Recurrence['range'] = { type: r.range.type!, startDate: r.range.startDate.slice(0, 10) };
  if (range.type === 'endDate' && r.range.endDate) range.endDate = r.range.endDate.slice(0, 10);
  if (range.type === 'numbered') range.numberOfOccurrences = r.range.numberOfOccurrences;
  return { pattern, range };
}

export function toGraphRecurrence(r: Recurrence): GraphPatternedRecurrence {
  const p = r.pattern;
  const pattern: NonNullable<GraphPatternedRecurrence['pattern']> = { type: p.type, interval: p.interval };
  if (p.daysOfWeek?.length) pattern.daysOfWeek = sortDays(p.daysOfWeek);
  if (p.dayOfMonth !== undefined) pattern.dayOfMonth = p.dayOfMonth;
  if (p.month !== undefined) pattern.month = p.month;
  if (p.index !== undefined) pattern.index = p.index;
  if (p.firstDayOfWeek !== undefined) pattern.firstDayOfWeek = p.firstDayOfWeek;
  const range: NonNullable<GraphPatternedRecurrence['range']> = {
    type: r.range.type,
    startDate: r.range.startDate,
  };
  if (r.range.type === 'endDate') range.endDate = r.range.endDate;
  if (r.range.type === 'numbered') range.numberOfOccurrences = r.range.numberOfOccurrences;
  return { pattern, range };
}
