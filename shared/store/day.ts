/** The UTC day of a moment as yyyyMMdd: partition key of day-partitioned tables, sortable as text. */
export function utcDay(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

const DAY = /^\d{8}$/;

export function assertDay(day: string): void {
  if (!DAY.test(day)) throw new RangeError(`day must be yyyyMMdd, got ${JSON.stringify(day)}`);
}

/** The day `days` after (or before, when negative) a yyyyMMdd day. */
export function addDays(day: string, days: number): string {
  assertDay(day);
  const ms = Date.UTC(+day.slice(0, 4), +day.slice(4, 6) - 1, +day.slice(6, 8)) + days * 86_400_000;
  return utcDay(ms);
}
