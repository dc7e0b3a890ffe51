import { SecretClient } from '@azure/keyvault-secrets';
import { createAppPasswordVault } from '../../../../shared/app/mail/app-password-vault';
import {
  APP_PASSWORD_CACHE_TTL_MS,
  KeyVaultImapCredentials,
} from '../../../../shared/app/mail/app-passwords';
import { ManualClock } from '../../../../shared/platform/clock';
import { redactText } from '../../../../shared/platform/logger';
import { startFakeKeyVault, type FakeKeyVault } from '../../../../sandbox/keyvault/fake-key-vault';

let vault: FakeKeyVault;
let client: SecretClient;
beforeEach(async () => {
  vault = await startFakeKeyVault();
  client = new SecretClient(
    vault.url,
    { getToken: async () => ({ token: 'sandbox-key-vault-token', expiresOnTimestamp: Date.now() + 3600e3 }) },
    {
      allowInsecureConnection: true,
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    },
  );
});
afterEach(() => vault.stop());

/** Authorised GETs of secrets (the SDK's first, unauthenticated challenge request is not a transaction). */
const reads = () => vault.requests.filter((r) => r.method === 'GET' && r.status !== 401).length;

test('a hit costs nothing, a miss one GET; the version is Key Vault’s; a new version arrives within the TTL', async () => {
  const clock = new ManualClock();
  const appVault = createAppPasswordVault(client);
  const credentials = new KeyVaultImapCredentials({ vault: appVault, clock, random: () => 1 });
  const { version: v1 } = await appVault.write('Alice@Example.com', 'app-password-one-Qq1');

  const first = await credentials.loginFor('alice@example.com');
  expect(first).toEqual({ user: 'alice@example.com', password: 'app-password-one-Qq1', version: v1 });
  expect(reads()).toBe(1);
  for (let i = 0; i < 1000; i++)
    await credentials.loginFor(i % 2 ? 'ALICE@example.com' : 'alice@example.com');
  expect(reads()).toBe(1);

  const { version: v2 } = await appVault.write('alice@example.com', 'app-password-two-Ww2');
  expect(v2).not.toBe(v1);
  clock.advance(APP_PASSWORD_CACHE_TTL_MS - 1);
  expect((await credentials.loginFor('alice@example.com'))?.version).toBe(v1);
  clock.advance(1);
  expect((await credentials.loginFor('alice@example.com'))?.version).toBe(v2);
  expect(reads()).toBe(2);

  credentials.forget('Alice@example.com');
  await credentials.loginFor('alice@example.com');
  expect(reads()).toBe(3);
});

test('a mailbox without a password is cached as a miss; concurrent misses share one GET; entries expire with jitter', async () => {
  const clock = new ManualClock();
  const appVault = createAppPasswordVault(client);
  const credentials = new KeyVaultImapCredentials({ vault: appVault, clock, random: () => 0 });
  const all = await Promise.all(Array.from({ length: 20 }, () => credentials.loginFor('nobody@example.com')));
  expect(all.every((l) => l === undefined)).toBe(true);
  expect(reads()).toBe(1);
  await appVault.write('nobody@example.com', 'late-app-password-Ee3');
  clock.advance(0.8 * APP_PASSWORD_CACHE_TTL_MS - 1);
  expect(await credentials.loginFor('nobody@example.com')).toBeUndefined();
  clock.advance(1);
  expect((await credentials.loginFor('nobody@example.com'))?.password).toBe('late-app-password-Ee3');
});

test('a disabled secret counts as none; a value read is masked in log text; listing shows addresses, not values', async () => {
  const appVault = createAppPasswordVault(client);
  await client.setSecret('imap-carol-40example-2ecom', 'disabled-app-password-Rr4', { enabled: false });
  expect(await appVault.read('carol@example.com')).toBeUndefined();

  await client.setSecret('imap-dave-40example-2ecom', 'written-elsewhere-Tt5');
  expect((await appVault.read('dave@example.com'))?.password).toBe('written-elsewhere-Tt5');
  expect(redactText('pw written-elsewhere-Tt5')).toBe('pw [redacted]');

  await appVault.write('erin@example.com', 'erin-app-password-Yy6');
  await client.setSecret('graph-refresh-token', 'not-an-app-password');
  const listed = [];
  for await (const item of appVault.list()) listed.push(item);
  expect(listed.map((l) => [l.mailbox, l.enabled]).sort()).toEqual([
    ['carol@example.com', false],
    ['dave@example.com', true],
    ['erin@example.com', true],
  ]);
  expect(JSON.stringify(listed)).not.toMatch(/app-password-|written-elsewhere/);
});
