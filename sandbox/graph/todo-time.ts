/**
 * Time-zone arithmetic for the fake's To Do tasks, on the runtime's own time-zone database (Intl). Graph accepts
 * Windows zone names as well as IANA ones in dateTimeTimeZone (Microsoft Graph's dateTimeTimeZone documentation);
 * the Windows names below are the common ones, mapped as in CLDR's windowsZones.xml.
 */

const WINDOWS_ZONES: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'China Standard Time': 'Asia/Shanghai',
  'Taipei Standard Time': 'Asia/Taipei',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'Singapore Standard Time': 'Asia/Singapore',
  'India Standard Time': 'Asia/Kolkata',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'Dateline Standard Time': 'Etc/GMT+12',
  'Line Islands Standard Time': 'Pacific/Kiritimati',
};

/** The IANA zone a Graph time-zone name stands for, or undefined when the name is unknown. */
export function ianaZoneOf(name: string): string | undefined {
  const mapped = WINDOWS_ZONES[name];
  if (mapped) return mapped;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(zone: string, instant: number): number {
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
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
}

/** The instant at which the wall clock of `zone` shows `local` (YYYY-MM-DDTHH:mm:ss[.fff]). */
export function localToInstant(local: string, zone: string): number {
  const asUtc = Date.parse(`${local.slice(0, 23)}Z`);
  const first = asUtc - (wallClock(zone, asUtc) - asUtc);
  return asUtc - (wallClock(zone, first) - first);
}

/** Graph's rendering of an instant on the wall clock of `zone`: 2020-07-25T00:00:00.0000000. */
export function instantToLocal(instant: number, zone: string): string {
  const whole = Math.floor(instant / 1000) * 1000;
  const text = new Date(wallClock(zone, whole)).toISOString().slice(0, 19);
  const fraction = String(instant - whole).padStart(3, '0');
  return `${text}.${fraction}0000`;
}

/** YYYY-MM-DDTHH:mm[:ss[.fraction]] as Graph takes dateTimeTimeZone.dateTime; normalised to milliseconds. */
export function parseLocal(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(value.trim());
  if (!m) return undefined;
  const local = `${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}.${(m[5] ?? '').padEnd(3, '0').slice(0, 3)}`;
  return Number.isNaN(Date.parse(`${local}Z`)) ? undefined : local;
}

export const isoUtc = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
