import { runPreflightCommand, settingsFrom } from '../../../scripts/preflight';
import type { PreflightDeps } from '../../../shared/app/preflight';
import { loadConfig } from '../../../shared/platform/config';

function tokenWith(roles: string[]): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ roles })}.sig`;
}

function io(env: Record<string, string | undefined> = {}, localSettings?: string) {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    io: {
      env,
      out: (line: string) => lines.push(line),
      err: (text: string) => errors.push(text),
      localSettings: async () => localSettings,
    },
  };
}

const depsWith = (roles: string[]) => (): PreflightDeps => ({
  config: { mode: 'live', kinds: ['calendar'], publicBaseUrl: 'https://sync.contoso.example' },
  getAccessToken: async () => tokenWith(roles),
  readPairs: async () => [],
});

describe('settingsFrom', () => {
  it('fills in from local.settings.json what the environment does not set', () => {
    const settings = settingsFrom(
      { SYNC_MODE: 'live' },
      JSON.stringify({ Values: { SYNC_MODE: 'sandbox', KEY_VAULT_URL: 'https://kv.vault.azure.net' } }),
    );
    expect(settings.SYNC_MODE).toBe('live');
    expect(settings.KEY_VAULT_URL).toBe('https://kv.vault.azure.net');
  });
});

describe('npm run preflight', () => {
  it('prints one line per check and exits 1 when one fails', async () => {
    const run = io();
    const code = await runPreflightCommand(run.io, depsWith(['User.Read.All']));
    expect(code).toBe(1);
    expect(run.lines).toContain(
      '✗ Microsoft Graph application permissions: not granted: Calendars.ReadWrite (needed for the enabled kinds: ' +
        'Calendars.ReadWrite, User.Read.All) — fix: an administrator of the Microsoft 365 tenant opens ' +
        'https://sync.contoso.example/api/consent and grants admin consent; the app registration must list the ' +
        'missing permissions as application permissions (not delegated) first',
    );
    expect(run.lines.some((l) => l.startsWith('✓ Storage account reachable'))).toBe(true);
    expect(run.lines.at(-1)).toBe('1 check failed');
  });

  it('exits 0 when nothing fails', async () => {
    const run = io();
    expect(await runPreflightCommand(run.io, depsWith(['Calendars.ReadWrite', 'User.Read.All']))).toBe(0);
    expect(run.lines.at(-1)).toBe('all checks passed');
  });

  it('says the settings are unusable rather than checking anything', async () => {
    const run = io({ SYNC_MODE: 'live' });
    const code = await runPreflightCommand(run.io, (settings) => {
      loadConfig(settings);
      throw new Error('not reached');
    });
    expect(code).toBe(1);
    expect(run.lines).toEqual([]);
    expect(run.errors.join('')).toContain('PUBLIC_BASE_URL');
  });
});
