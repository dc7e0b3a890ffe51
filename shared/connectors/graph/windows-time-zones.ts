/**
 * Windows time zone names (what Outlook stores and Graph returns in originalStartTimeZone, and accepts on write)
 * and IANA names (what the canonical model and DingTalk use). The primary column follows the "001" territory of
 * CLDR windowsZones.xml; ALIASES lists further IANA names of the same Windows zone, so ianaToWindows accepts them.
 */

const WINDOWS_TO_IANA: Record<string, string> = {
  'Dateline Standard Time': 'Etc/GMT+12',
  'UTC-11': 'Etc/GMT+11',
  'Aleutian Standard Time': 'America/Adak',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Marquesas Standard Time': 'Pacific/Marquesas',
  'Alaskan Standard Time': 'America/Anchorage',
  'UTC-09': 'Etc/GMT+9',
  'Pacific Standard Time (Mexico)': 'America/Tijuana',
  'UTC-08': 'Etc/GMT+8',
  'Pacific Standard Time': 'America/Los_Angeles',
  'US Mountain Standard Time': 'America/Phoenix',
  'Mountain Standard Time (Mexico)': 'America/Mazatlan',
  'Mountain Standard Time': 'America/Denver',
  'Yukon Standard Time': 'America/Whitehorse',
  'Central America Standard Time': 'America/Guatemala',
  'Central Standard Time': 'America/Chicago',
  'Easter Island Standard Time': 'Pacific/Easter',
  'Central Standard Time (Mexico)': 'America/Mexico_City',
  'Canada Central Standard Time': 'America/Regina',
  'SA Pacific Standard Time': 'America/Bogota',
  'Eastern Standard Time (Mexico)': 'America/Cancun',
  'Eastern Standard Time': 'America/New_York',
  'Haiti Standard Time': 'America/Port-au-Prince',
  'Cuba Standard Time': 'America/Havana',
  'US Eastern Standard Time': 'America/Indiana/Indianapolis',
  'Turks And Caicos Standard Time': 'America/Grand_Turk',
  'Paraguay Standard Time': 'America/Asuncion',
  'Atlantic Standard Time': 'America/Halifax',
  'Venezuela Standard Time': 'America/Caracas',
  'Central Brazilian Standard Time': 'America/Cuiaba',
  'SA Western Standard Time': 'America/La_Paz',
  'Pacific SA Standard Time': 'America/Santiago',
  'Newfoundland Standard Time': 'America/St_Johns',
  'Tocantins Standard Time': 'America/Araguaina',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'SA Eastern Standard Time': 'America/Cayenne',
  'Argentina Standard Time': 'America/Argentina/Buenos_Aires',
  'Greenland Standard Time': 'America/Nuuk',
  'Montevideo Standard Time': 'America/Montevideo',
  'Magallanes Standard Time': 'America/Punta_Arenas',
  'Saint Pierre Standard Time': 'America/Miquelon',
  'Bahia Standard Time': 'America/Bahia',
  'UTC-02': 'Etc/GMT+2',
  'Azores Standard Time': 'Atlantic/Azores',
  'Cape Verde Standard Time': 'Atlantic/Cape_Verde',
  UTC: 'UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'Sao Tome Standard Time': 'Africa/Sao_Tome',
  'Morocco Standard Time': 'Africa/Casablanca',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Romance Standard Time': 'Europe/Paris',
  'Central European Standard Time': 'Europe/Warsaw',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'Jordan Standard Time': 'Asia/Amman',
  'GTB Standard Time': 'Europe/Bucharest',
  'Middle East Standard Time': 'Asia/Beirut',
  'Egypt Standard Time': 'Africa/Cairo',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'Syria Standard Time': 'Asia/Damascus',
  'West Bank Standard Time': 'Asia/Hebron',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'FLE Standard Time': 'Europe/Kyiv',
  'Israel Standard Time': 'Asia/Jerusalem',
  'South Sudan Standard Time': 'Africa/Juba',
  'Kaliningrad Standard Time': 'Europe/Kaliningrad',
  'Sudan Standard Time': 'Africa/Khartoum',
  'Libya Standard Time': 'Africa/Tripoli',
  'Namibia Standard Time': 'Africa/Windhoek',
  'Arabic Standard Time': 'Asia/Baghdad',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Arab Standard Time': 'Asia/Riyadh',
  'Belarus Standard Time': 'Europe/Minsk',
  'Russian Standard Time': 'Europe/Moscow',
  'E. Africa Standard Time': 'Africa/Nairobi',
  'Volgograd Standard Time': 'Europe/Volgograd',
  'Iran Standard Time': 'Asia/Tehran',
  'Arabian Standard Time': 'Asia/Dubai',
  'Astrakhan Standard Time': 'Europe/Astrakhan',
  'Azerbaijan Standard Time': 'Asia/Baku',
  'Russia Time Zone 3': 'Europe/Samara',
  'Mauritius Standard Time': 'Indian/Mauritius',
  'Saratov Standard Time': 'Europe/Saratov',
  'Georgian Standard Time': 'Asia/Tbilisi',
  'Caucasus Standard Time': 'Asia/Yerevan',
  'Afghanistan Standard Time': 'Asia/Kabul',
  'West Asia Standard Time': 'Asia/Tashkent',
  'Ekaterinburg Standard Time': 'Asia/Yekaterinburg',
  'Pakistan Standard Time': 'Asia/Karachi',
  'Qyzylorda Standard Time': 'Asia/Qyzylorda',
  'India Standard Time': 'Asia/Kolkata',
  'Sri Lanka Standard Time': 'Asia/Colombo',
  'Nepal Standard Time': 'Asia/Kathmandu',
  'Central Asia Standard Time': 'Asia/Bishkek',
  'Bangladesh Standard Time': 'Asia/Dhaka',
  'Omsk Standard Time': 'Asia/Omsk',
  'Myanmar Standard Time': 'Asia/Yangon',
  'SE Asia Standard Time': 'Asia/Bangkok',
  'Altai Standard Time': 'Asia/Barnaul',
  'W. Mongolia Standard Time': 'Asia/Hovd',
  'North Asia Standard Time': 'Asia/Krasnoyarsk',
  'N. Central Asia Standard Time': 'Asia/Novosibirsk',
  'Tomsk Standard Time': 'Asia/Tomsk',
  'China Standard Time': 'Asia/Shanghai',
  'North Asia East Standard Time': 'Asia/Irkutsk',
  'Singapore Standard Time': 'Asia/Singapore',
  'W. Australia Standard Time': 'Australia/Perth',
  'Taipei Standard Time': 'Asia/Taipei',
  'Ulaanbaatar Standard Time': 'Asia/Ulaanbaatar',
  'Aus Central W. Standard Time': 'Australia/Eucla',
  'Transbaikal Standard Time': 'Asia/Chita',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'North Korea Standard Time': 'Asia/Pyongyang',
  'Korea Standard Time': 'Asia/Seoul',
  'Yakutsk Standard Time': 'Asia/Yakutsk',
  'Cen. Australia Standard Time': 'Australia/Adelaide',
  'AUS Central Standard Time': 'Australia/Darwin',
  'E. Australia Standard Time': 'Australia/Brisbane',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'West Pacific Standard Time': 'Pacific/Port_Moresby',
  'Tasmania Standard Time': 'Australia/Hobart',
  'Vladivostok Standard Time': 'Asia/Vladivostok',
  'Lord Howe Standard Time': 'Australia/Lord_Howe',
  'Bougainville Standard Time': 'Pacific/Bougainville',
  'Russia Time Zone 10': 'Asia/Srednekolymsk',
  'Magadan Standard Time': 'Asia/Magadan',
  'Norfolk Standard Time': 'Pacific/Norfolk',
  'Sakhalin Standard Time': 'Asia/Sakhalin',
  'Central Pacific Standard Time': 'Pacific/Guadalcanal',
  'Russia Time Zone 11': 'Asia/Kamchatka',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'UTC+12': 'Etc/GMT-12',
  'Fiji Standard Time': 'Pacific/Fiji',
  'Chatham Islands Standard Time': 'Pacific/Chatham',
  'UTC+13': 'Etc/GMT-13',
  'Tonga Standard Time': 'Pacific/Tongatapu',
  'Samoa Standard Time': 'Pacific/Apia',
  'Line Islands Standard Time': 'Pacific/Kiritimati',
};

/** Further IANA names (major cities, old spellings) and the Windows zone that covers them. */
const ALIASES: Record<string, string> = {
  'Asia/Chongqing': 'China Standard Time',
  'Asia/Harbin': 'China Standard Time',
  'Asia/Hong_Kong': 'China Standard Time',
  'Asia/Macau': 'China Standard Time',
  'Asia/Urumqi': 'Central Asia Standard Time',
  'Asia/Calcutta': 'India Standard Time',
  'Asia/Katmandu': 'Nepal Standard Time',
  'Asia/Rangoon': 'Myanmar Standard Time',
  'Asia/Saigon': 'SE Asia Standard Time',
  'Asia/Ho_Chi_Minh': 'SE Asia Standard Time',
  'Asia/Jakarta': 'SE Asia Standard Time',
  'Asia/Phnom_Penh': 'SE Asia Standard Time',
  'Asia/Vientiane': 'SE Asia Standard Time',
  'Asia/Kuala_Lumpur': 'Singapore Standard Time',
  'Asia/Manila': 'Singapore Standard Time',
  'Asia/Makassar': 'Singapore Standard Time',
  'Asia/Brunei': 'Singapore Standard Time',
  'Asia/Jayapura': 'Tokyo Standard Time',
  'Asia/Muscat': 'Arabian Standard Time',
  'Asia/Kuwait': 'Arab Standard Time',
  'Asia/Qatar': 'Arab Standard Time',
  'Asia/Bahrain': 'Arab Standard Time',
  'Asia/Aden': 'Arab Standard Time',
  'Asia/Almaty': 'West Asia Standard Time',
  'Asia/Samarkand': 'West Asia Standard Time',
  'Asia/Tel_Aviv': 'Israel Standard Time',
  'Asia/Istanbul': 'Turkey Standard Time',
  'Europe/Amsterdam': 'W. Europe Standard Time',
  'Europe/Rome': 'W. Europe Standard Time',
  'Europe/Vienna': 'W. Europe Standard Time',
  'Europe/Stockholm': 'W. Europe Standard Time',
  'Europe/Zurich': 'W. Europe Standard Time',
  'Europe/Oslo': 'W. Europe Standard Time',
  'Europe/Luxembourg': 'W. Europe Standard Time',
  'Europe/Monaco': 'W. Europe Standard Time',
  'Europe/Malta': 'W. Europe Standard Time',
  'Europe/Madrid': 'Romance Standard Time',
  'Europe/Brussels': 'Romance Standard Time',
  'Europe/Copenhagen': 'Romance Standard Time',
  'Europe/Prague': 'Central Europe Standard Time',
  'Europe/Belgrade': 'Central Europe Standard Time',
  'Europe/Bratislava': 'Central Europe Standard Time',
  'Europe/Ljubljana': 'Central Europe Standard Time',
  'Europe/Zagreb': 'Central European Standard Time',
  'Europe/Sarajevo': 'Central European Standard Time',
  'Europe/Skopje': 'Central European Standard Time',
  'Europe/Dublin': 'GMT Standard Time',
  'Europe/Lisbon': 'GMT Standard Time',
  'Atlantic/Canary': 'GMT Standard Time',
  'Europe/Athens': 'GTB Standard Time',
  'Europe/Helsinki': 'FLE Standard Time',
  'Europe/Riga': 'FLE Standard Time',
  'Europe/Tallinn': 'FLE Standard Time',
  'Europe/Vilnius': 'FLE Standard Time',
  'Europe/Sofia': 'FLE Standard Time',
  'Europe/Kiev': 'FLE Standard Time',
  'Africa/Algiers': 'W. Central Africa Standard Time',
  'Africa/Addis_Ababa': 'E. Africa Standard Time',
  'America/Toronto': 'Eastern Standard Time',
  'America/Detroit': 'Eastern Standard Time',
  'America/Montreal': 'Eastern Standard Time',
  'America/Vancouver': 'Pacific Standard Time',
  'America/Winnipeg': 'Central Standard Time',
  'America/Edmonton': 'Mountain Standard Time',
  'America/Lima': 'SA Pacific Standard Time',
  'America/Panama': 'SA Pacific Standard Time',
  'America/Indianapolis': 'US Eastern Standard Time',
  'America/Buenos_Aires': 'Argentina Standard Time',
  'America/Godthab': 'Greenland Standard Time',
  'America/Manaus': 'SA Western Standard Time',
  'America/Puerto_Rico': 'SA Western Standard Time',
  'America/Santo_Domingo': 'SA Western Standard Time',
  'America/Costa_Rica': 'Central America Standard Time',
  'America/El_Salvador': 'Central America Standard Time',
  'America/Monterrey': 'Central Standard Time (Mexico)',
  'Australia/Melbourne': 'AUS Eastern Standard Time',
  'Australia/Canberra': 'AUS Eastern Standard Time',
  'Pacific/Guam': 'West Pacific Standard Time',
  'Etc/UTC': 'UTC',
  'Etc/GMT': 'UTC',
  GMT: 'UTC',
  'Etc/Universal': 'UTC',
};

const IANA_TO_WINDOWS: Record<string, string> = (() => {
  const out: Record<string, string> = {};
  for (const [windows, iana] of Object.entries(WINDOWS_TO_IANA)) out[iana] = windows;
  for (const [iana, windows] of Object.entries(ALIASES)) out[iana] ??= windows;
  return out;
})();

/** Names Exchange writes for UTC in originalStartTimeZone besides "UTC". */
const UTC_SPELLINGS = new Set([
  'utc',
  'tzone://microsoft/utc',
  'coordinated universal time',
  'etc/utc',
  'gmt',
]);

export function windowsToIana(windowsName: string): string | undefined {
  return WINDOWS_TO_IANA[windowsName];
}

export function ianaToWindows(ianaName: string): string | undefined {
  return IANA_TO_WINDOWS[ianaName];
}

export function isValidIanaZone(name: string): boolean {
  // Building an Intl.DateTimeFormat costs about 0.2 ms, on every event mapped: a burst spent 7 % of the app's CPU
  // here. Known answers are kept (bounded: the names come from remote data).
  const known = ianaAnswers.get(name);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    valid = true;
  } catch {
    valid = false;
  }
  if (ianaAnswers.size >= MAX_IANA_ANSWERS) ianaAnswers.delete(ianaAnswers.keys().next().value!);
  ianaAnswers.set(name, valid);
  return valid;
}

const MAX_IANA_ANSWERS = 2_000;
const ianaAnswers = new Map<string, boolean>();

/** Any zone name Graph may hand us (Windows, IANA, UTC spellings) as an IANA name; undefined when unknown. */
export function toIanaZone(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  const trimmed = name.trim();
  if (UTC_SPELLINGS.has(trimmed.toLowerCase())) return 'UTC';
  const fromWindows = windowsToIana(trimmed);
  if (fromWindows) return fromWindows;
  // Windows names contain spaces; IANA names never do, and Intl knows every IANA name Node ships.
  if (!trimmed.includes(' ') && isValidIanaZone(trimmed)) return trimmed;
  return undefined;
}

export const knownWindowsZones = (): string[] => Object.keys(WINDOWS_TO_IANA);
