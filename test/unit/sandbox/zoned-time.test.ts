import fc from 'fast-check';
import * as app from '../../../shared/sync/zoned-time';
import { knownWindowsZones, toIanaZone } from '../../../shared/connectors/graph/windows-time-zones';
import * as fake from '../../../sandbox/time/zoned';
import { graphZoneToIana, windowsToIana, windowsZoneNames } from '../../../sandbox/time/windows-zones';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

/**
 * The fakes' own time handling (sandbox/time: luxon and CLDR's windowsZones) against the app's
 * (shared/sync/zoned-time.ts, shared/connectors/graph/windows-time-zones.ts). The two are written apart on purpose;
 * where they disagree one of them is wrong, and the examples below pin the answers tz data and CLDR give.
 */

const RUNS = fastCheckRuns(runsFrom('PROPERTY_RUNS', 300));
const WINDOWS = knownWindowsZones();
const at = (iso: string) => Date.parse(iso);

/** Intl's own name for a zone (links resolved), to tell whether two names are one zone. */
const canonical = (zone: string) =>
  new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** Offset in seconds from Intl's "GMT+05:45" rendering: a third opinion, neither the app's nor luxon's. */
function intlOffsetSeconds(ms: number, zone: string): number {
  let f = offsetFormats.get(zone);
  if (!f)
    offsetFormats.set(
      zone,
      (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })),
    );
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  if (!m[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0));
}

interface Transition {
  windowsName: string;
  /** First instant (ms) of the new offset. */
  at: number;
  before: number;
  after: number;
}

/** Every change of offset of every Windows zone from 2000 to 2040 (sampled every 15 days, then bisected). */
function transitions(): Transition[] {
  const out: Transition[] = [];
  const step = 15 * 86_400_000;
  for (const windowsName of WINDOWS) {
    const zone = toIanaZone(windowsName)!;
    for (let t = at('2000-01-01T00:00:00Z'); t < at('2040-01-01T00:00:00Z'); t += step) {
      const before = intlOffsetSeconds(t, zone);
      const after = intlOffsetSeconds(t + step, zone);
      if (before === after) continue;
      let [lo, hi] = [t, t + step];
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (intlOffsetSeconds(mid, zone) === before) lo = mid;
        else hi = mid;
      }
      out.push({
        windowsName,
        at: hi,
        before: intlOffsetSeconds(lo, zone),
        after: intlOffsetSeconds(hi, zone),
      });
    }
  }
  return out;
}

/** "+05:45" / "-03:30" / "+00:00" for an offset in whole minutes. */
const offsetText = (minutes: number) =>
  `${minutes < 0 ? '-' : '+'}${new Date(Math.abs(minutes) * 60_000).toISOString().slice(11, 16)}`;

/** "YYYY-MM-DDTHH:mm:ss" of a wall time kept as if it were UTC ms. */
const wallString = (wall: number) => new Date(wall).toISOString().slice(0, 19);

describe('Windows zone names: the fake (CLDR windowsZones.json) and the app', () => {
  test('know the same Windows names', () => {
    expect([...windowsZoneNames()].sort()).toEqual([...WINDOWS].sort());
  });

  test('map every Windows name to the same zone', () => {
    const differ = WINDOWS.filter((w) => canonical(graphZoneToIana(w)!) !== canonical(toIanaZone(w)!));
    expect(differ).toEqual([]);
  });

  test('Mexico and Kazakhstan follow CLDR 43+ and tzdata 2024a (a stale table gets these an hour off)', () => {
    // Windows "Mountain Standard Time (Mexico)" is UTC-7 without DST since Mexico dropped DST (2022); Chihuahua,
    // its zone in CLDR before 43, is UTC-6. "Central Asia Standard Time" is UTC+6; Almaty, its zone in CLDR before
    // 45, has been UTC+5 since 2024-03-01.
    expect(windowsToIana('Mountain Standard Time (Mexico)')).toBe('America/Mazatlan');
    expect(
      fake.offsetMinutesAt(at('2026-07-01T00:00:00Z'), graphZoneToIana('Mountain Standard Time (Mexico)')!),
    ).toBe(-420);
    expect(windowsToIana('Central Asia Standard Time')).toBe('Asia/Bishkek');
    expect(
      fake.offsetMinutesAt(at('2026-07-01T00:00:00Z'), graphZoneToIana('Central Asia Standard Time')!),
    ).toBe(360);
  });

  test('accept and reject the same names as Graph zones (property)', () => {
    const names = [
      ...WINDOWS,
      ...WINDOWS.map((w) => toIanaZone(w)!),
      ...WINDOWS.map((w) => w.toLowerCase()),
      'UTC',
      'utc',
      'GMT',
      'Etc/UTC',
      'Etc/GMT',
      'tzone://Microsoft/Utc',
      'Coordinated Universal Time',
      'Asia/Calcutta',
      'asia/shanghai',
      'America/Montreal',
      'Europe/Amsterdam',
      'Etc/GMT+8',
      'US/Pacific',
      'Mars Standard Time',
      'Not/AZone',
      'UTC+8',
      '+08:00',
      'China  Standard Time',
      '',
      ' ',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.constantFrom('', ' ', '\t'), (name, pad) => {
        const padded = `${pad}${name}${pad}`;
        const mine = graphZoneToIana(padded);
        const theirs = toIanaZone(padded);
        expect(mine === undefined).toBe(theirs === undefined);
        if (mine && theirs) expect(canonical(mine)).toBe(canonical(theirs));
      }),
      RUNS,
    );
    expect(graphZoneToIana(null)).toBeUndefined();
    expect(graphZoneToIana('Mars Standard Time')).toBeUndefined();
    expect(graphZoneToIana(' tzone://Microsoft/Utc ')).toBe('UTC');
    expect(graphZoneToIana('asia/shanghai')).toBe('asia/shanghai');
  });
});

describe('wall time ↔ instant: the fake (luxon) and the app agree', () => {
  const zonePair = fc
    .constantFrom(...WINDOWS)
    .map((w) => ({ w, mine: graphZoneToIana(w)!, theirs: toIanaZone(w)! }));

  test('instant → wall time and offset, in every Windows zone since 1850 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1850-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        zonePair,
        (ms, z) => {
          expect(fake.instantToLocal(ms, z.mine)).toBe(app.instantToLocal(ms, z.theirs));
          expect(fake.offsetMinutesAt(ms, z.mine)).toBe(app.offsetMinutesAt(ms, z.theirs));
        },
      ),
      RUNS,
    );
  });

  test('instant → ISO with offset, as DingTalk renders it (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1900-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        zonePair,
        (ms, z) => {
          const theirs = `${app.instantToLocal(ms, z.theirs)}${app.formatOffset(app.offsetMinutesAt(ms, z.theirs))}`;
          expect(fake.instantToOffsetDateTime(ms, z.mine)).toBe(theirs);
        },
      ),
      RUNS,
    );
  });

  test('wall time → instant, in every Windows zone since 1850 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1850-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        zonePair,
        (wall, z) => {
          const local = wallString(wall);
          expect(fake.localToInstant(local, z.mine)).toBe(app.localToInstant(local, z.theirs));
          expect(fake.parseDateTime(local, z.mine)).toBe(app.parseDateTime(local, z.theirs));
        },
      ),
      RUNS,
    );
  });

  test('wall times around every DST (and other) transition of every Windows zone, 2000–2040 (property)', () => {
    const all = transitions();
    // Gaps and overlaps both, in many zones: else the property would say little about either rule.
    expect(all.filter((t) => t.after > t.before).length).toBeGreaterThan(500);
    expect(all.filter((t) => t.after < t.before).length).toBeGreaterThan(500);
    expect(new Set(all.map((t) => t.windowsName)).size).toBeGreaterThan(40);
    fc.assert(
      fc.property(
        fc.constantFrom(...all),
        fc.integer({ min: -3 * 3600, max: 3 * 3600 }),
        fc.boolean(),
        (t, seconds, wholeMinutes) => {
          const shift = wholeMinutes ? Math.round(seconds / 60) * 60 : seconds;
          const local = wallString(t.at + (t.before + shift) * 1000);
          expect(fake.localToInstant(local, graphZoneToIana(t.windowsName)!)).toBe(
            app.localToInstant(local, toIanaZone(t.windowsName)!),
          );
        },
      ),
      RUNS,
    );
  });

  test('a skipped wall time moves forward by the gap; a repeated one takes the earlier instant', () => {
    // New York, 2026: clocks go 02:00 → 03:00 on 8 March and 02:00 → 01:00 on 1 November.
    expect(fake.localToInstant('2026-03-08T02:30:00', 'America/New_York')).toBe(at('2026-03-08T07:30:00Z'));
    expect(fake.localToInstant('2026-11-01T01:30:00', 'America/New_York')).toBe(at('2026-11-01T05:30:00Z'));
    expect(fake.localToInstant('2026-11-01T02:00:00', 'America/New_York')).toBe(at('2026-11-01T07:00:00Z'));
    // Lord Howe moves by half an hour: back 02:00 → 01:30 on 5 April, forward 02:00 → 02:30 on 4 October 2026.
    expect(fake.localToInstant('2026-04-05T01:45:00', 'Australia/Lord_Howe')).toBe(
      at('2026-04-04T14:45:00Z'),
    );
    expect(fake.localToInstant('2026-10-04T02:15:00', 'Australia/Lord_Howe')).toBe(
      at('2026-10-03T15:45:00Z'),
    );
    // Samoa skipped 30 December 2011 (UTC-10 → UTC+14): a time that day moves a whole day on.
    expect(fake.localToInstant('2011-12-30T12:00:00', 'Pacific/Apia')).toBe(at('2011-12-30T22:00:00Z'));
    expect(fake.instantToLocal(at('2011-12-30T22:00:00Z'), 'Pacific/Apia')).toBe('2011-12-31T12:00:00');
    // Not in a gap: DST began on 24 September 2011 at 03:00. (luxon's fromObject put this an hour late.)
    expect(fake.localToInstant('2011-09-25T00:03:56', 'Pacific/Apia')).toBe(at('2011-09-25T10:03:56Z'));
  });
});

describe('strings the fakes read and write', () => {
  test('Graph dateTime and DingTalk ISO with offset', () => {
    expect(`${fake.instantToLocal(at('2026-12-07T01:00:00.250Z'), 'Asia/Shanghai')}.0000000`).toBe(
      '2026-12-07T09:00:00.0000000',
    );
    expect(fake.instantToOffsetDateTime(at('2025-09-20T02:15:30Z'), 'Asia/Shanghai')).toBe(
      '2025-09-20T10:15:30+08:00',
    );
    expect(fake.instantToOffsetDateTime(at('2025-09-20T02:15:30Z'), 'UTC')).toBe('2025-09-20T02:15:30+00:00');
    expect(fake.instantToOffsetDateTime(at('2026-01-01T00:00:00Z'), 'America/St_Johns')).toBe(
      '2025-12-31T20:30:00-03:30',
    );
    expect(fake.instantToOffsetDateTime(at('2026-07-01T00:00:00Z'), 'Asia/Kathmandu')).toBe(
      '2026-07-01T05:45:00+05:45',
    );
  });

  test('ISO date-times with an offset are instants, whatever the zone (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1970-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.constantFrom('', '.5', '.123', '.0000000'),
        fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York'),
        (ms, offset, fraction, zone) => {
          const whole = Math.floor(ms / 1000) * 1000;
          const text =
            offset === 0 && fraction === ''
              ? `${wallString(whole)}Z`
              : `${wallString(whole + offset * 60_000)}${fraction}${offsetText(offset)}`;
          expect(fake.parseDateTime(text, zone)).toBe(app.parseDateTime(text, zone));
        },
      ),
      RUNS,
    );
  });

  test('normalizeLocal and addDays (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('1900-01-01T00:00:00Z'), max: at('2100-01-01T00:00:00Z') }),
        fc.constantFrom(10, 16, 19, 21, 27),
        fc.integer({ min: -1000, max: 1000 }),
        (wall, length, days) => {
          const iso = new Date(wall).toISOString();
          const local =
            length === 21
              ? `${iso.slice(0, 19)}.5`
              : length === 27
                ? `${iso.slice(0, 19)}.0000000`
                : iso.slice(0, length);
          expect(fake.normalizeLocal(local)).toBe(app.normalizeLocal(local));
          expect(fake.addDays(local, days)).toBe(app.addDays(local, days));
        },
      ),
      RUNS,
    );
  });

  test('malformed local times are refused, and so are dates that do not exist', () => {
    for (const bad of ['23/11/2026', '2026-11-23T09', '2026-11-23 09:30', '2026-11-23T09:30:00Z', '']) {
      expect(() => fake.normalizeLocal(bad)).toThrow();
      expect(() => app.normalizeLocal(bad)).toThrow();
    }
    // The app takes these (its localToInstant rolls over: 2026-03-02, the next day's 00:00); the fakes refuse them
    // (400), as .NET's and Java's date parsers do; neither service documents its answer.
    for (const impossible of ['2026-02-30T10:00:00', '2026-11-23T24:00:00', '2026-13-01']) {
      expect(() => fake.normalizeLocal(impossible)).toThrow();
      expect(() => fake.localToInstant(impossible, 'UTC')).toThrow();
    }
    expect(() => fake.parseDateTime('2026-02-30T10:00:00+08:00', 'UTC')).toThrow();
    expect(() => fake.localToInstant('2026-11-23T09:30:00', 'Not/AZone')).toThrow();
  });

  test('isTimeZone agrees with the app on IANA names and anything else', () => {
    const names = [
      ...WINDOWS.map((w) => toIanaZone(w)!),
      ...WINDOWS,
      'asia/shanghai',
      'UTC',
      'GMT',
      'Not/AZone',
      '+08:00',
      '',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...names), (name) => {
        expect(fake.isTimeZone(name)).toBe(app.isTimeZone(name));
      }),
      RUNS,
    );
    expect(fake.isTimeZone('Asia/Shanghai')).toBe(true);
    expect(fake.isTimeZone('China Standard Time')).toBe(false);
    expect(fake.isTimeZone(undefined)).toBe(false);
  });
});
