/**
 * DingTalk counts the org quota per calendar month. It is a Chinese service, so months are taken in China time
 * (UTC+8, no daylight saving): 2026-11-30T17:00Z is already December there.
 */
const CHINA_OFFSET_MS = 8 * 3600_000;

/** "2026-11" for the month the instant falls in, China time. */
export function chinaMonthOf(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 7);
}

/** The instant the China-time month the instant falls in started. */
export function chinaMonthStart(ms: number): number {
  const local = new Date(ms + CHINA_OFFSET_MS);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - CHINA_OFFSET_MS;
}

/** The instant the next China-time month starts. */
export function nextChinaMonthStart(ms: number): number {
  const local = new Date(ms + CHINA_OFFSET_MS);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - CHINA_OFFSET_MS;
}
