import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { runAdminCommand } from '../../../../scripts/admin/command';
import { createStorage } from '../../../../shared/platform/storage';
import { TableMailCredentialStore } from '../../../../shared/store/mail-credential-store';
import { startFakeKeyVault, type FakeKeyVault } from '../../../../sandbox/keyvault/fake-key-vault';
import { azuriteConnection } from '../../store/store-fixture';

/**
 * `npm run admin -- app-passwords …` is the app-password command itself (the mail:app-passwords alias is covered
 * by app-passwords-command.test.ts): the same actions, output and exit codes, through the admin command.
 */

const PASSWORD = 'admin-cli-pw-Q1w2E3r4';
const OTHER = 'admin-cli-pw-T5y6U7i8';

const storage = createStorage({ connectionString: azuriteConnection() });
const marksTable = `t${randomBytes(5).toString('hex')}mailcredentials`;
/** The CSV files the command reads, by name, in place of the file system. */
const files = new Map<string, string>();

let vault: FakeKeyVault;
beforeAll(async () => (vault = await startFakeKeyVault()));
afterAll(() => vault.stop());

async function admin(argv: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const input = new PassThrough();
  if (stdin !== undefined) input.end(stdin);
  const code = await runAdminCommand(
    argv,
    {
      env: { SYNC_MODE: 'sandbox', KEY_VAULT_URL: vault.url },
      out: (line) => out.push(line),
      err: (text) => err.push(text),
      stdin: input,
      readFile: async (name) => {
        const text = files.get(name);
        if (text === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        return text;
      },
    },
    { appPasswords: { storage, mailCredentialsTable: marksTable } },
  );
  return { code, out: out.join('\n'), err: err.join('') };
}

test('CSV load, --set from standard input, --list and --reset through npm run admin -- app-passwords', async () => {
  files.set(
    'passwords.csv',
    `email,app password\nwang.fang@example.com,${PASSWORD}\nnot an address,${OTHER}\n`,
  );

  const loaded = await admin(['app-passwords', '--csv', 'passwords.csv']);
  expect(loaded).toMatchObject({ code: 1, out: '1 written, 0 unchanged, 1 rejected line' });
  expect(loaded.err).toMatch(/^line 3: /m);

  const set = await admin(['app-passwords', '--set', 'li.na@example.com'], `${OTHER}\n`);
  expect(set).toMatchObject({
    code: 0,
    out: expect.stringMatching(/^li\.na@example\.com: app password stored/),
  });

  const marks = new TableMailCredentialStore(storage, marksTable);
  await marks.save({
    email: 'li.na@example.com',
    pairId: 'pair-li-na',
    secretVersion: 'v1',
    attempts: 1,
    firstRejectedAt: '2026-12-01T09:00:00.000Z',
    lastRejectedAt: '2026-12-01T09:00:00.000Z',
    nextTryAt: '2026-12-01T10:00:00.000Z',
    stopped: false,
  });
  const listed = await admin(['app-passwords', '--list']);
  expect(listed.code).toBe(0);
  expect(listed.out).toMatch(/^li\.na@example\.com {2}stored .* credentials rejected \(attempt 1\)/m);
  expect(listed.out).toMatch(/^wang\.fang@example\.com {2}stored /m);
  expect(listed.out).toMatch(/2 mailboxes with an app password, 1 with credentials rejected/);

  expect((await admin(['app-passwords', '--reset', 'li.na@example.com'])).out).toMatch(/cleared/);
  expect(await marks.get('li.na@example.com')).toBeUndefined();

  const printed = [loaded, set, listed].map((r) => r.out + r.err).join('\n');
  expect(printed).not.toContain(PASSWORD);
  expect(printed).not.toContain(OTHER);
});

test('its usage names the admin command; a usage mistake exits 2; the admin help lists it', async () => {
  const help = await admin(['app-passwords', '--help']);
  expect(help).toMatchObject({
    code: 0,
    out: expect.stringMatching(/^Usage: npm run admin -- app-passwords/),
  });
  expect(help.out).toContain('npm run mail:app-passwords');
  expect(await admin(['app-passwords', '--csv', 'missing.csv'])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/cannot read missing\.csv: ENOENT/),
  });
  expect(await admin(['app-passwords'])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/give an action/),
  });
  expect((await admin(['help'])).out).toMatch(/^ {2}app-passwords <action>/m);
});
