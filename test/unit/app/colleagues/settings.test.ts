import { ConfigError, loadConfig } from '../../../../shared/platform/config';

const base = { SYNC_MODE: 'sandbox' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('CONTACT_COLLEAGUES and CONTACT_COLLEAGUES_MAX', () => {
  test('off by default, 500 at most', () => {
    expect(loadConfig(base).colleagues).toEqual({ mode: 'off', max: 500 });
  });

  test('department with contact sync on', () => {
    const config = loadConfig({
      ...base,
      SYNC_KINDS: 'calendar,contact',
      CONTACT_COLLEAGUES: 'department',
      CONTACT_COLLEAGUES_MAX: '1000',
    });
    expect(config.colleagues).toEqual({ mode: 'department', max: 1000 });
  });

  test('department without contact in SYNC_KINDS is refused, saying what to do', () => {
    const found = problems({ SYNC_KINDS: 'calendar,mail', CONTACT_COLLEAGUES: 'department' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^CONTACT_COLLEAGUES is "department" but contact is not in SYNC_KINDS/);
    expect(found[0]).toContain('add contact to SYNC_KINDS, or set CONTACT_COLLEAGUES to off');
  });

  test('unknown modes and out-of-range maximums name the setting and the allowed values', () => {
    expect(problems({ CONTACT_COLLEAGUES: 'everyone' })[0]).toMatch(
      /^CONTACT_COLLEAGUES is invalid "everyone": must be off or department\./,
    );
    expect(problems({ CONTACT_COLLEAGUES_MAX: '0' })[0]).toMatch(
      /^CONTACT_COLLEAGUES_MAX is invalid "0": must be at least 1\./,
    );
    expect(problems({ CONTACT_COLLEAGUES_MAX: '6000' })[0]).toMatch(/must be at most 5000/);
    expect(problems({ CONTACT_COLLEAGUES_MAX: '2.5' })[0]).toMatch(/must be a whole number/);
    expect(problems({ CONTACT_COLLEAGUES_MAX: 'lots' })[0]).toMatch(/must be a whole number/);
  });
});
