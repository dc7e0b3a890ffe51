import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { createLogger, type LogLevel } from '../../../shared/platform/logger';
import { SecretProvider } from '../../../shared/platform/secrets';
import { startFakeKeyVault, type FakeKeyVault } from '../../../sandbox/keyvault/fake-key-vault';

const TOKEN = 'sandbox-key-vault-token';

/** Records what the SDK asked for, so the challenge flow can be checked end to end. */
class RecordingCredential implements TokenCredential {
  readonly calls: { scopes: string[]; tenantId?: string }[] = [];
  constructor(private readonly token = TOKEN) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.calls.push({ scopes: ([] as string[]).concat(scopes), tenantId: options?.tenantId });
    return { token: this.token, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

const clientFor = (vault: FakeKeyVault, credential: TokenCredential) =>
  new SecretClient(vault.url, credential, {
    allowInsecureConnection: true,
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 0 },
  });

let vault: FakeKeyVault;
beforeEach(async () => {
  vault = await startFakeKeyVault({ tenantId: 'tenant-42', acceptedTokens: [TOKEN] });
});
afterEach(() => vault.stop());

describe('fake Key Vault with the real SecretClient', () => {
  test('set, get latest, get a version, list, and a miss is 404 SecretNotFound', async () => {
    const client = clientFor(vault, new RecordingCredential());
    const v1 = await client.setSecret('graph-refresh-token', 'value-one');
    const v2 = await client.setSecret('graph-refresh-token', 'value-two', { contentType: 'text/plain' });
    expect(v1.properties.version).not.toBe(v2.properties.version);
    expect((await client.getSecret('graph-refresh-token')).value).toBe('value-two');
    expect((await client.getSecret('graph-refresh-token', { version: v1.properties.version })).value).toBe(
      'value-one',
    );
    await client.setSecret('imap-alice', 'pw');

    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names.sort()).toEqual(['graph-refresh-token', 'imap-alice']);
    const versions: string[] = [];
    for await (const p of client.listPropertiesOfSecretVersions('graph-refresh-token'))
      versions.push(p.version!);
    expect(versions.sort()).toEqual([v1.properties.version, v2.properties.version].sort());

    const miss = await client.getSecret('nope').catch((e: { statusCode?: number; code?: string }) => e);
    expect(miss).toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
  });

  test('the first request is an unauthenticated, body-less challenge; the token is asked for the challenge tenant', async () => {
    const credential = new RecordingCredential();
    await clientFor(vault, credential).setSecret('s1', 'v');
    const [first, second] = vault.requests;
    expect(first).toMatchObject({ method: 'PUT', authorization: undefined, bodyBytes: 0, status: 401 });
    expect(second).toMatchObject({ method: 'PUT', authorization: `Bearer ${TOKEN}`, status: 200 });
    expect(second.bodyBytes).toBeGreaterThan(0);
    expect(credential.calls[0]).toEqual({
      scopes: ['https://vault.azure.net/.default'],
      tenantId: 'tenant-42',
    });
    expect(vault.requests.every((r) => r.apiVersion)).toBe(true);
  });

  test('a wrong bearer token is refused', async () => {
    const err = await clientFor(vault, new RecordingCredential('stolen-or-expired'))
      .getSecret('s1')
      .catch((e: { statusCode?: number }) => e);
    expect(err).toMatchObject({ statusCode: 401 });
    const withWrongToken = vault.requests.filter((r) => r.authorization === 'Bearer stolen-or-expired');
    expect(withWrongToken.length).toBeGreaterThan(0);
    expect(withWrongToken.every((r) => r.status === 401)).toBe(true);
  });

  test('a missing api-version is 400 and an invalid name is 400 BadParameter', async () => {
    const noVersion = await fetch(`${vault.url}/secrets/s1`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { error: { code: string } }).error.code).toBe('BadParameter');
    const badName = await clientFor(vault, new RecordingCredential())
      .setSecret('bad_name', 'v')
      .catch((e: { statusCode?: number; code?: string }) => e);
    expect(badName).toMatchObject({ statusCode: 400, code: 'BadParameter' });
  });
});

describe('SecretProvider', () => {
  const fakeAccess = () => ({
    url: vault.url,
    credential: new RecordingCredential(),
    options: {
      allowInsecureConnection: true,
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    },
  });

  test('app settings come first; runtime secrets come from Key Vault; a missing one is undefined', async () => {
    const secrets = new SecretProvider({
      settings: { GRAPH_CLIENT_SECRET: 'from-settings' },
      keyVault: fakeAccess(),
    });
    expect(await secrets.get('GRAPH_CLIENT_SECRET')).toBe('from-settings');
    expect(await secrets.getRuntime('mail-password-alice')).toBeUndefined();
    await secrets.set('mail-password-alice', 'app-password-1');
    expect(await secrets.get('mail-password-alice')).toBe('app-password-1');
    await secrets.set('mail-password-alice', 'app-password-2');
    expect(await secrets.getRuntime('mail-password-alice')).toBe('app-password-2');
    expect(vault.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(3);
  });

  test('an injected SecretClient is used as given', async () => {
    const client = clientFor(vault, new RecordingCredential());
    await client.setSecret('preset', 'preset-value');
    expect(await new SecretProvider({ settings: {}, keyVault: client }).getRuntime('preset')).toBe(
      'preset-value',
    );
  });

  test('clear errors: unresolved Key Vault reference, invalid vault name, no vault configured', async () => {
    const secrets = new SecretProvider({
      settings: {
        DINGTALK_APP_SECRET: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/x/)',
      },
    });
    expect(() => secrets.getSetting('DINGTALK_APP_SECRET')).toThrow(/unresolved Key Vault reference/);
    await expect(secrets.getRuntime('mail_password')).rejects.toThrow(/not a valid Key Vault secret name/);
    await expect(secrets.set('mail-password', 'x')).rejects.toThrow(/KEY_VAULT_URL/);
    expect(await secrets.get('UNSET_SETTING')).toBeUndefined();
  });

  test('every value read or written is kept out of log lines', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (_: LogLevel, line: string) => lines.push(line) });
    const secrets = new SecretProvider({
      settings: { API_PASSWORD: 'settings-value-9f8e7d' },
      keyVault: fakeAccess(),
    });
    const fromSetting = await secrets.get('API_PASSWORD');
    await secrets.set('written-at-runtime', 'runtime-written-5a4b3c');
    await new SecretClient(vault.url, new RecordingCredential(), fakeAccess().options).setSecret(
      'rotated',
      'rotated-elsewhere-1q2w3e',
    );
    const fromVault = await secrets.getRuntime('rotated');
    log.info(`values: ${fromSetting} ${fromVault}`, {
      note: 'runtime-written-5a4b3c in a field',
      nested: { v: fromVault },
    });
    expect(lines).toHaveLength(1);
    for (const secret of ['settings-value-9f8e7d', 'runtime-written-5a4b3c', 'rotated-elsewhere-1q2w3e']) {
      expect(lines[0]).not.toContain(secret);
    }
  });
});
