import {
  ianaToWindows,
  knownWindowsZones,
  toIanaZone,
  windowsToIana,
} from '../../../shared/connectors/graph/windows-time-zones';
import { isTimeZone } from '../../../shared/sync/zoned-time';

describe('Windows ↔ IANA time zones', () => {
  test('every Windows zone maps to an IANA name this Node knows, and back to itself', () => {
    for (const windows of knownWindowsZones()) {
      const iana = windowsToIana(windows)!;
      expect(isTimeZone(iana)).toBe(true);
      expect(ianaToWindows(iana)).toBe(windows);
    }
  });

  test.each([
    ['China Standard Time', 'Asia/Shanghai'],
    ['Tokyo Standard Time', 'Asia/Tokyo'],
    ['Singapore Standard Time', 'Asia/Singapore'],
    ['India Standard Time', 'Asia/Kolkata'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['GMT Standard Time', 'Europe/London'],
    ['Eastern Standard Time', 'America/New_York'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['E. South America Standard Time', 'America/Sao_Paulo'],
    ['UTC', 'UTC'],
  ])('%s ↔ %s', (windows, iana) => {
    expect(windowsToIana(windows)).toBe(iana);
    expect(ianaToWindows(iana)).toBe(windows);
  });

  test('city aliases map to the Windows zone that covers them', () => {
    expect(ianaToWindows('Asia/Hong_Kong')).toBe('China Standard Time');
    expect(ianaToWindows('Europe/Madrid')).toBe('Romance Standard Time');
    expect(ianaToWindows('America/Toronto')).toBe('Eastern Standard Time');
    expect(ianaToWindows('Etc/UTC')).toBe('UTC');
  });

  test('toIanaZone accepts Windows names, IANA names and Exchange spellings of UTC, and rejects the rest', () => {
    expect(toIanaZone('China Standard Time')).toBe('Asia/Shanghai');
    expect(toIanaZone('Asia/Hong_Kong')).toBe('Asia/Hong_Kong');
    expect(toIanaZone('tzone://Microsoft/Utc')).toBe('UTC');
    expect(toIanaZone('utc')).toBe('UTC');
    expect(toIanaZone('Mars Standard Time')).toBeUndefined();
    expect(toIanaZone('Not/AZone')).toBeUndefined();
    expect(toIanaZone(undefined)).toBeUndefined();
  });
});
