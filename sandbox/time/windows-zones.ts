import cldrWindowsZones from 'cldr-core/supplemental/windowsZones.json';
import { isTimeZone } from './zoned';

/**
 * Zone names as the fake Graph takes them in dateTimeTimeZone.timeZone and in Prefer: outlook.timezone: Windows
 * names (what Outlook stores), IANA names, and the spellings Exchange uses for UTC. The Windows names come from
 * Unicode CLDR's windowsZones.xml as the cldr-core package ships it (its JSON form), each to the zone of its
 * "001" (world) territory, not from the app's own table (shared/connectors/graph/windows-time-zones.ts).
 */

interface MapZone {
  mapZone: { _other: string; _type: string; _territory: string };
}

const mapTimezones: MapZone[] = cldrWindowsZones.supplemental.windowsZones.mapTimezones;

/** Windows name → the IANA zone CLDR gives for territory 001 (one zone there, in CLDR's own spelling). */
const WINDOWS_TO_IANA: ReadonlyMap<string, string> = new Map(
  mapTimezones
    .map((e) => e.mapZone)
    .filter((z) => z._territory === '001')
    .map((z) => [z._other, z._type.trim().split(/\s+/)[0]!] as const),
);

/** Spellings of UTC that Exchange writes in originalStartTimeZone besides "UTC"; taken too, without case. */
const UTC_SPELLINGS = new Set([
  'utc',
  'tzone://microsoft/utc',
  'coordinated universal time',
  'etc/utc',
  'gmt',
]);

/** Windows names CLDR maps, e.g. "China Standard Time". */
export const windowsZoneNames = (): string[] => [...WINDOWS_TO_IANA.keys()];

/** The IANA zone of a Windows name (exact spelling); undefined when CLDR has no such Windows zone. */
export const windowsToIana = (windowsName: string): string | undefined => WINDOWS_TO_IANA.get(windowsName);

/**
 * A zone name a Graph client sent (Windows, IANA, or a UTC spelling; surrounding blanks ignored) as an IANA zone
 * to compute with; undefined when the fake answers TimeZoneNotSupportedException. Any name Intl knows passes as
 * IANA (links and any case too): whether Graph takes all of them is not documented.
 */
export function graphZoneToIana(name: string | null | undefined): string | undefined {
  const trimmed = name?.trim();
  if (!trimmed) return undefined;
  if (UTC_SPELLINGS.has(trimmed.toLowerCase())) return 'UTC';
  const fromWindows = windowsToIana(trimmed);
  if (fromWindows) return fromWindows;
  return isTimeZone(trimmed) ? trimmed : undefined;
}
