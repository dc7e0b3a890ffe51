import { DateTime, IANAZone } from 'luxon';

/**
 * The fakes' own wall-time arithmetic, on luxon (tz data from the ICU that Node ships): the fakes must not borrow
 * the app's shared/sync/zoned-time.ts, or a bug there would hide on both sides of every test.
 *
 * What the fakes accept and emit:
 * - a local time is "YYYY-MM-DD[THH:mm[:ss[.fffffff]]]" (Graph's dateTime, DingTalk's dateTime without offset);
 *   fractions of a second are dropped, and a date that does not exist (2026-02-30, 24:00) is not a local time;
 * - a wall time that a zone skips (clocks go forward) moves forward by the gap, one that a zone repeats (clocks
 *   go back) is the earlier of its two instants: the "compatible" disambiguation of Temporal and RFC 9557, the rule
 *   the app also keeps. Neither Graph's nor DingTalk's documentation (shared/reference) states a rule of its own.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

/**
 * A zone name that the tz data knows (any case, links included). luxon asks Intl once per name and keeps the zone
 * (IANAZone.create); IANAZone.isValidZone would build an Intl.DateTimeFormat on every call, which was a fifth of
 * the fakes' CPU time in the bench's bursts.
 */
export function isTimeZone(zone: string | undefined): zone is string {
  return !!zone && IANAZone.create(zone).isValid;
}

function zoneOf(zone: string): IANAZone {
  const z = IANAZone.create(zone);
  if (!z.isValid) throw new RangeError(`unknown time zone: ${JSON.stringify(zone)}`);
  return z;
}

/** "2026-11-23T09:30:00" (no offset) for the instant as seen in zone; milliseconds dropped. */
export function instantToLocal(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone: zoneOf(zone) }).toFormat(LOCAL_FORMAT);
}

/** Offset of zone from UTC in minutes at the instant. */
export function offsetMinutesAt(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone: zoneOf(zone) }).offset;
}

/** "2026-11-23T09:30:00+08:00": the instant as wall time in zone with the zone's offset then ("+00:00" for UTC). */
export function instantToOffsetDateTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone: zoneOf(zone) }).toFormat(`${LOCAL_FORMAT}ZZ`);
}

/** The wall time of a local string, read as if in UTC; throws when it is not one (or not a real date and time). */
function wallTime(local: string): DateTime {
  const m = LOCAL.exec(local.trim());
  if (!m) throw new Error(`not a local date-time: ${JSON.stringify(local)}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0));
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: 'utc' });
  // luxon takes ISO 8601's 24:00 (end of day); .NET's DateTime and Java's LocalDateTime (Graph, DingTalk) do not.
  if (!dt.isValid || hour === 24)
    throw new Error(
      `not a local date-time: ${JSON.stringify(local)} (${dt.invalidExplanation ?? 'hour 24'})`,
    );
  return dt;
}

/**
 * The instant of a wall-clock time in zone, by the compatible rule. luxon places the wall time with setZone
 * (keepLocalTime) and moves a skipped time forward by the gap; of a repeated time it may keep either instant, so the
 * earlier of getPossibleOffsets() is taken. (DateTime.fromObject(…, { zone }) is not used: it starts from the
 * zone's offset of today and can land an hour off where the zone has since moved more than once, as
 * Pacific/Apia 2011-09-25T00:03:56 shows.)
 */
export function localToInstant(local: string, zone: string): number {
  const placed = wallTime(local).setZone(zoneOf(zone), { keepLocalTime: true });
  return Math.min(...placed.getPossibleOffsets().map((dt) => dt.toMillis()));
}

/** An ISO date-time with an offset (or Z) is an instant; without one it is a wall time in zone. */
export function parseDateTime(dateTime: string, zone: string): number {
  if (HAS_OFFSET.test(dateTime.trim())) {
    const dt = DateTime.fromISO(dateTime.trim(), { setZone: true });
    if (!dt.isValid)
      throw new Error(`not a date-time: ${JSON.stringify(dateTime)} (${dt.invalidExplanation})`);
    return dt.toMillis();
  }
  return localToInstant(dateTime, zone);
}

/** "2026-11-23T09:30" → "2026-11-23T09:30:00"; fractions of seconds dropped. */
export function normalizeLocal(local: string): string {
  return wallTime(local).toFormat(LOCAL_FORMAT);
}

/** Adds whole (calendar) days to the date of "YYYY-MM-DD[T…]", giving "YYYY-MM-DD". */
export function addDays(date: string, days: number): string {
  return wallTime(date).plus({ days }).toFormat('yyyy-MM-dd');
}
