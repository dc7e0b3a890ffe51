import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runAppPasswordsCommand, type CommandIO } from '../../../../scripts/mail-app-passwords/command';
import { SecretClient } from '@azure/keyvault-secrets';
import { createAppPasswordVault } from '../../../../shared/app/mail/app-password-vault';
import { KeyVaultImapCredentials } from '../../../../shared/app/mail/app-passwords';
import { CredentialGuard } from '../../../../shared/app/mail/credential-guard';
import { ImapLoginRejectedError, type MailboxLogin } from '../../../../shared/connectors/imap/credentials';
import { ManualClock } from '../../../../shared/platform/clock';
import { createLogger, type LogLevel } from '../../../../shared/platform/logger';
import { createStorage } from '../../../../shared/platform/storage';
import { TableAuditLog } from '../../../../shared/store/audit-log';
import { utcDay } from '../../../../shared/store/day';
import { TableMailCredentialStore } from '../../../../shared/store/mail-credential-store';
import { startFakeKeyVault, type FakeKeyVault } from '../../../../sandbox/keyvault/fake-key-vault';
import { azuriteConnection } from '../../store/store-fixture';

const PASSWORDS = {
  alice: 'alice-app-pw-A1b2C3d4',
  bob: 'bob,app"pw-E5f6G7h8',
  carol: 'carol-app-pw-J9k0L1m2',
  newAlice: 'alice-new-pw-N3o4P5q6',
  typed: 'typed-at-prompt-R7s8T9',
};

let vault: FakeKeyVault;
let dir: string;
const prefix = `t${randomBytes(5).toString('hex')}`;
const storage = createStorage({ connectionString: azuriteConnection() });
const marksTable = `${prefix}mailcredentials`;

beforeAll(async () => {
  vault = await startFakeKeyVault();
  dir = await mkdtemp(path.join(tmpdir(), 'app-passwords-'));
});
afterAll(async () => {
  await vault.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the command as `npm run mail:app-passwords -- <argv>` would, in sandbox mode against the fake vault. */
async function run(argv: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const io: CommandIO = {
    env: { SYNC_MODE: 'sandbox', KEY_VAULT_URL: vault.url, ...options.env },
    stdin,
    out: (line) => out.push(line),
    err: (text) => err.push(text),
    readFile: (file) => readFile(file, 'utf8'),
  };
  const code = await runAppPasswordsCommand(argv, io, { storage, mailCredentialsTable: marksTable });
  return { code, out: out.join('\n'), err: err.join('') };
}

const vaultClient = () =>
  new SecretClient(
    vault.url,
    { getToken: async () => ({ token: 'sandbox-key-vault-token', expiresOnTimestamp: Date.now() + 3600e3 }) },
    {
      allowInsecureConnection: true,
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    },
  );

test('CSV load, re-run, --set, --list and --reset end to end; the guard stops and resumes on a new version', async () => {
  const csv = path.join(dir, 'passwords.csv');
  await writeFile(
    csv,
    '\ufeffemail,app password\r\n' +
      `Alice@Example.com,${PASSWORDS.alice}\r\n` +
      `bob@example.com,"${PASSWORDS.bob.replace(/"/g, '""')}"\r\n` +
      '\r\n' +
      `${PASSWORDS.carol},carol@example.com\r\n` +
      `zhang san@example.com,${PASSWORDS.carol}\r\n`,
  );

  const first = await run(['--csv', csv]);
  expect(first.out).toBe('2 written, 0 unchanged, 2 rejected lines');
  expect(first.err).toMatch(/^line 5: the first field is not a usable e-mail address/m);
  expect(first.err).toMatch(/^line 6: .*space/m);
  expect(first.code).toBe(1);

  const again = await run(['--csv', csv]);
  expect(again.out).toBe('0 written, 2 unchanged, 2 rejected lines');
  const puts = vault.requests.filter((r) => r.method === 'PUT' && r.status === 200);
  expect(puts.map((r) => r.path).sort()).toEqual([
    '/secrets/imap-alice-40example-2ecom',
    '/secrets/imap-bob-40example-2ecom',
  ]);

  // The app reads what the command wrote.
  const clock = new ManualClock();
  const credentials = new KeyVaultImapCredentials({ vault: createAppPasswordVault(vaultClient()), clock });
  expect((await credentials.loginFor('alice@example.com'))?.password).toBe(PASSWORDS.alice);
  expect((await credentials.loginFor('bob@example.com'))?.password).toBe(PASSWORDS.bob);

  // The server rejects Alice's password three times: the mark lands in the table, audited, then stops.
  const marks = new TableMailCredentialStore(storage, marksTable);
  const audit = new TableAuditLog(storage, `${prefix}audit`);
  const lines: string[] = [];
  const guard = new CredentialGuard({
    credentials,
    store: marks,
    audit,
    logger: createLogger({ sink: (_: LogLevel, line: string) => lines.push(line) }),
    clock,
  });
  const logins: string[] = [];
  const server = async (login: MailboxLogin) => {
    logins.push(login.password);
    if (login.password === PASSWORDS.alice) throw new ImapLoginRejectedError(login.user, login.version);
    return 'ok';
  };
  const alice = { email: 'alice@example.com', pairId: 'pair-alice' };
  for (let minute = 0; minute < 3 * 60; minute++) {
    await guard.withLogin(alice, server).catch(() => undefined);
    clock.advance(60_000);
  }
  expect(logins).toEqual([PASSWORDS.alice, PASSWORDS.alice, PASSWORDS.alice]);
  expect(await marks.get('alice@example.com')).toMatchObject({
    attempts: 3,
    stopped: true,
    pairId: 'pair-alice',
  });
  const day = await audit.listDay(utcDay(clock.now()));
  expect(day.filter((a) => a.action === 'failure' && a.pairId === 'pair-alice')).toHaveLength(3);

  const listed = await run(['--list']);
  expect(listed.code).toBe(0);
  expect(listed.out).toMatch(/^alice@example.com {2}stored .* CREDENTIALS REJECTED 3 times/m);
  expect(listed.out).toMatch(/^bob@example.com {2}stored [0-9-]+ [0-9:]+ UTC$/m);
  expect(listed.out).toMatch(/2 mailboxes with an app password, 1 with credentials rejected/);

  // The admin replaces Alice's password (typed, piped here); the cache refresh brings the new version.
  const set = await run(['--set', 'ALICE@example.com'], { stdin: `${PASSWORDS.newAlice}\n` });
  expect(set).toMatchObject({
    code: 0,
    out: 'alice@example.com: app password stored (a new version; the app uses it within 10 minutes)',
  });
  clock.advance(10 * 60_000);
  expect(await guard.withLogin(alice, server)).toBe('ok');
  expect(logins.at(-1)).toBe(PASSWORDS.newAlice);
  expect(await marks.get('alice@example.com')).toBeUndefined();

  // From an environment variable, for automation; the same value again is "unchanged".
  const fromEnv = await run(['--set', 'alice@example.com', '--password-env', 'APP_PW'], {
    env: { APP_PW: PASSWORDS.newAlice },
  });
  expect(fromEnv.out).toMatch(/unchanged/);

  // --reset clears a mark without a new password.
  await guard.loginRejected({ email: 'bob@example.com', pairId: 'pair-bob' }, 'v-bob');
  expect((await run(['--reset', 'bob@example.com'])).out).toMatch(/cleared/);
  expect(await marks.get('bob@example.com')).toBeUndefined();

  // Nothing the command printed, nothing logged, no row and no audit entry holds a password.
  const everything = [
    first.out,
    first.err,
    again.out,
    again.err,
    listed.out,
    set.out,
    set.err,
    fromEnv.out,
    ...lines,
    JSON.stringify(day),
  ].join('\n');
  for (const secret of Object.values(PASSWORDS)) expect(everything).not.toContain(secret);
});

test('usage and access problems are plain words with exit codes 2 and 1', async () => {
  expect(await run([])).toMatchObject({ code: 2, err: expect.stringMatching(/give an action/) });
  expect(await run(['--csv'])).toMatchObject({ code: 2, err: expect.stringMatching(/--csv needs a value/) });
  expect(await run(['--list', '--set', 'a@example.com'])).toMatchObject({ code: 2 });
  expect(await run(['--list'], { env: { KEY_VAULT_URL: '' } })).toMatchObject({
    code: 2,
    err: expect.stringMatching(/no Key Vault: pass --vault/),
  });
  expect(await run(['--list'], { env: { SYNC_MODE: 'live' } })).toMatchObject({
    code: 2,
    err: expect.stringMatching(/only the sandbox has/),
  });
  expect(await run(['--csv', path.join(dir, 'missing.csv')])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/cannot read .*ENOENT/),
  });
  expect(await run(['--set', 'not-an-address'], { stdin: 'x\n' })).toMatchObject({
    code: 2,
    err: expect.stringMatching(/--set: the e-mail address has no "@"/),
  });
  expect(await run(['--set', 'a@example.com'], { stdin: '\n' })).toMatchObject({
    code: 2,
    err: expect.stringMatching(/app password is empty; nothing was written/),
  });

  // A vault that refuses the token: the CSV load stops at once with the role to ask for.
  const strict = await startFakeKeyVault({ acceptedTokens: ['some-other-token'] });
  try {
    const csv = path.join(dir, 'one.csv');
    await writeFile(csv, 'a@example.com,refused-app-pw-U1v2\nb@example.com,refused-app-pw-W3x4\n');
    const refused = await run(['--csv', csv, '--vault', strict.url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/Key Vault refused access \(401.*Key Vault Secrets Officer/);
    expect(refused.err).not.toMatch(/refused-app-pw/);
  } finally {
    await strict.stop();
  }
});
