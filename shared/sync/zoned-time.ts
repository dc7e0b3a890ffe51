/**
 * Wall-clock time in an IANA zone ↔ instants and ISO strings with offsets, with Intl only (no tz library). Pure, so
 * the sync engine and both connectors share it. DingTalk writes "2025-09-20T10:15:30+08:00" plus timeZone, Graph
 * writes a wall time plus timeZone; the canonical model keeps the wall time and the zone.
 */

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws (RangeError) for a zone Intl does not know. */
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isTimeZone(zone: string | undefined): zone is string {
  if (!zone) return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * formatToParts costs tens of microseconds, and mapping one event asks it up to eight times (wallToInstant), mostly
 * for the same instants (meetings start on the hour): the answers are kept, bounded, oldest first out.
 */
const FIELDS_KEPT = 10_000;
const fieldsKept = new Map<string, LocalFields>();

function fieldsAt(ms: number, zone: string): LocalFields {
  const key = `${zone}|${ms}`;
  const kept = fieldsKept.get(key);
  if (kept) return kept;
  const fields = Object.freeze(formatFields(ms, zone));
  if (fieldsKept.size >= FIELDS_KEPT) fieldsKept.delete(fieldsKept.keys().next().value!);
  fieldsKept.set(key, fields);
  return fields;
}

function formatFields(ms: number, zone: string): LocalFields {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
const asUtc = (f: LocalFields) => Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;

/** Offset of zone from UTC in ms at the instant (whole seconds). */
const offsetAt = (ms: number, zone: string) => asUtc(fieldsAt(wholeSeconds(ms), zone)) - wholeSeconds(ms);

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Parses "YYYY-MM-DD[THH:mm[:ss[.fffffff]]]" into its fields; throws on anything else. */
export function parseLocal(local: string): LocalFields {
  const m = LOCAL.exec(local.trim());
  if (!m) throw new Error(`not a local date-time: ${JSON.stringify(local)}`);
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}

const formatLocal = (f: LocalFields) =>
  `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;

/** "2026-11-23T09:30:00" (no offset) for the instant as seen in zone. */
export function instantToLocal(ms: number, zone: string): string {
  return formatLocal(fieldsAt(wholeSeconds(ms), zone));
}

/** Offset of zone from UTC in minutes at the instant. */
export function offsetMinutesAt(ms: number, zone: string): number {
  return offsetAt(ms, zone) / 60_000;
}

/**
 * The instant of a wall-clock time in zone. In a DST gap the time moves forward by the gap (as Outlook does); in
 * an overlap (the hour repeated when clocks go back) the earlier instant wins, in every zone.
 */
export function localToInstant(local: string, zone: string): number {
  return wallToInstant(asUtc(parseLocal(local)), zone);
}

const DAY = 86_400_000;
const LOCAL_PREFIX = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/;

/**
 * Wall-clock time in an IANA zone → UTC ISO instant; undefined when the text or the zone is not understood.
 * Like Temporal's "compatible" rule: a repeated hour (clocks go back) takes the earlier instant, a skipped hour
 * (clocks go forward) moves forward by the gap.
 */
export function zonedToUtc(local: string, timeZone: string): string | undefined {
  const m = LOCAL_PREFIX.exec(local);
  if (!m || !isTimeZone(timeZone)) return undefined;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  return new Date(wallToInstant(wall, timeZone)).toISOString();
}

/**
 * A wall-clock time (as if it were UTC) → the instant, by the "compatible" rule: of the offsets in force a day
 * before and a day after, keep those that give back the same wall time; a repeated hour has two and takes the
 * earlier, a skipped hour has none and moves forward by the gap.
 */
function wallToInstant(wall: number, zone: string): number {
  const offsetBefore = offsetAt(wall - DAY, zone);
  const offsetAfter = offsetAt(wall + DAY, zone);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter((t) => t + offsetAt(t, zone) === wall);
  return candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore;
}

/**
 * "+08:00" / "-03:30" for an offset in minutes. Whole minutes only, as ISO 8601 and RFC 3339 write offsets: before
 * standard time some zones were off UTC by seconds (local mean time, Asia/Shanghai +08:05:43 until 1901), and those
 * seconds are dropped (luxon does the same).
 */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const whole = Math.trunc(minutes);
  return `${sign}${pad(Math.trunc(whole / 60))}:${pad(whole % 60)}`;
}

/** "2026-11-23T09:30:00+08:00": the wall time in zone with the zone's offset at that moment. */
export function localWithOffset(local: string, zone: string): string {
  const ms = localToInstant(local, zone);
  return `${instantToLocal(ms, zone)}${formatOffset(offsetMinutesAt(ms, zone))}`;
}

export function hasOffset(dateTime: string): boolean {
  return HAS_OFFSET.test(dateTime.trim());
}

/** An ISO date-time with an offset is an instant; without one it is a wall time in `zone`. */
export function parseDateTime(dateTime: string, zone: string): number {
  if (hasOffset(dateTime)) {
    const ms = Date.parse(dateTime);
    if (Number.isNaN(ms)) throw new Error(`not a date-time: ${JSON.stringify(dateTime)}`);
    return ms;
  }
  return localToInstant(dateTime, zone);
}

/** "2026-11-23T09:30" → "2026-11-23T09:30:00"; fractions of seconds dropped. */
export function normalizeLocal(local: string): string {
  return formatLocal(parseLocal(local));
}

/** Adds whole days to a "YYYY-MM-DD" date. */
export function addDays(date: string, days: number): string {
  const f = parseLocal(date);
  return new Date(Date.UTC(f.year, f.month - 1, f.day + days)).toISOString().slice(0, 10);
}
