/** Wall-clock time in an IANA zone ↔ instants, with Intl only (no tz library). */

const formatters = new Map<string, Intl.DateTimeFormat>();

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

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function fieldsAt(ms: number, zone: string): Fields {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2026-11-23T09:30:00" (no offset) for the instant ms as seen in zone. */
export function instantToLocal(ms: number, zone: string): string {
  const f = fieldsAt(Math.floor(ms / 1000) * 1000, zone);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;

/** Parses "YYYY-MM-DD[THH:mm[:ss[.fffffff]]]" into its fields; throws on anything else. */
export function parseLocal(local: string): Fields {
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

const asUtc = (f: Fields) => Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);

/** Offset of zone from UTC (ms) at the instant ms. */
function offsetAt(ms: number, zone: string): number {
  return asUtc(fieldsAt(ms, zone)) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in zone. In a DST gap the time is moved forward by the gap (as Outlook does);
 * in an overlap the earlier instant wins.
 */
export function localToInstant(local: string, zone: string): number {
  const wall = asUtc(parseLocal(local));
  const first = wall - offsetAt(wall, zone);
  const second = wall - offsetAt(first, zone);
  if (second === first) return first;
  const candidates = [first, second].filter((ms) => instantToLocal(ms, zone) === normalizeLocal(local));
  if (candidates.length > 0) return Math.min(...candidates);
  return Math.max(first, second);
}

/** "2026-11-23T09:30" → "2026-11-23T09:30:00"; fractions of seconds dropped. */
export function normalizeLocal(local: string): string {
  const f = parseLocal(local);
  return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
}

/** Adds whole days to a "YYYY-MM-DD" date. */
export function addDays(date: string, days: number): string {
  const f = parseLocal(date);
  const d = new Date(Date.UTC(f.year, f.month - 1, f.day + days));
  return d.toISOString().slice(0, 10);
}
