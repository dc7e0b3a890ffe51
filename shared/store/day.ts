/** The UTC day of a moment as yyyyMMdd: partition key of day-partitioned tables, sortable as text. */
export function utcDay(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${ms}`);
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

const DAY = /^\d{8}$/;

export function assertDay(day: string): void {
  if (!DAY.test(day)) throw new RangeError(`day must be yyyyMMdd, got ${JSON.stringify(day)}`);
}
