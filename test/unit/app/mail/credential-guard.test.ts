import { SecretClient } from '@azure/keyvault-secrets';
import {
  ImapLoginRejectedError,
  MissingAppPasswordError,
  type ImapCredentials,
  type MailboxLogin,
} from '../../../../shared/connectors/imap/credentials';
import { createAppPasswordVault } from '../../../../shared/app/mail/app-password-vault';
import { KeyVaultImapCredentials } from '../../../../shared/app/mail/app-passwords';
import {
  CredentialGuard,
  MailboxCredentialsRejectedError,
} from '../../../../shared/app/mail/credential-guard';
import { ManualClock } from '../../../../shared/platform/clock';
import { createLogger, type LogLevel } from '../../../../shared/platform/logger';
import type { MailCredentialRecord } from '../../../../shared/store/mail-credential-store';
import { AlreadyExistsError } from '../../../../shared/store/errors';
import { ConcurrencyError, type AuditEntry } from '../../../../shared/sync/types';
import { startFakeKeyVault, type FakeKeyVault } from '../../../../sandbox/keyvault/fake-key-vault';

const MIN = 60_000;
const EMAIL = 'alice@example.com';
const MAILBOX = { email: 'Alice@Example.com', pairId: 'pair-alice' };
const PASSWORD_1 = 'first-app-password-7q8w9e';
const PASSWORD_2 = 'second-app-password-1a2s3d';

/** The mailcredentials table in memory, with etags and a count of operations. */
class MemoryStore {
  rows = new Map<string, MailCredentialRecord>();
  ops = { get: 0, save: 0, remove: 0, list: 0 };
  private etags = 0;
  async get(email: string) {
    this.ops.get++;
    const row = this.rows.get(email);
    return row && { ...row };
  }
  async save(record: MailCredentialRecord) {
    this.ops.save++;
    const current = this.rows.get(record.email);
    if (!record.etag && current) throw new AlreadyExistsError();
    if (record.etag && current?.etag !== record.etag) throw new ConcurrencyError();
    const saved = { ...record, etag: `e${++this.etags}` };
    this.rows.set(record.email, saved);
    return { ...saved };
  }
  async remove(email: string) {
    this.ops.remove++;
    this.rows.delete(email);
  }
  async list(limit: number) {
    this.ops.list++;
    const records = [...this.rows.values()].slice(0, limit).map((r) => ({ ...r }));
    return { records, truncated: this.rows.size > limit };
  }
  get total() {
    return this.ops.get + this.ops.save + this.ops.remove + this.ops.list;
  }
}

class VersionedCredentials {
  current: MailboxLogin | undefined = { user: EMAIL, password: PASSWORD_1, version: 'v1' };
  async loginFor() {
    return this.current && { ...this.current };
  }
}

function setup(makeCredentials?: (clock: ManualClock) => ImapCredentials) {
  const clock = new ManualClock();
  const store = new MemoryStore();
  const versioned = new VersionedCredentials();
  const credentials = makeCredentials?.(clock) ?? versioned;
  const audit: AuditEntry[] = [];
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', sink: (_: LogLevel, line: string) => lines.push(line) });
  const guard = new CredentialGuard({
    credentials,
    store,
    audit: { record: async (e) => void audit.push(e) },
    logger,
    clock,
  });
  return { clock, store, credentials: versioned, audit, lines, guard, logger };
}

/** The mail server: rejects every login with the password it is told is wrong. */
function server(wrong: string) {
  const logins: string[] = [];
  const poll = async (login: MailboxLogin) => {
    logins.push(login.version);
    if (login.password === wrong) throw new ImapLoginRejectedError(login.user, login.version);
    return 'polled';
  };
  return { logins, poll };
}

describe('rejected-login guard', () => {
  test('a healthy mailbox costs no table operation per poll (one refresh query per minute per instance)', async () => {
    const { guard, store, clock } = setup();
    const { poll, logins } = server('nothing is wrong');
    for (let i = 0; i < 100; i++) {
      expect(await guard.withLogin(MAILBOX, poll)).toBe('polled');
      clock.advance(1000);
    }
    expect(logins).toHaveLength(100);
    expect(store.ops).toEqual({ get: 0, save: 0, remove: 0, list: 2 });
  });

  test('rejection → 5 min → 30 min → stopped after 3; only a new secret version resumes it', async () => {
    const { guard, store, clock, credentials, audit } = setup();
    const { poll, logins } = server(PASSWORD_1);
    const pollEveryMinute = async (minutes: number) => {
      const outcomes: string[] = [];
      for (let i = 0; i < minutes; i++) {
        outcomes.push(
          await guard.withLogin(MAILBOX, poll).then(
            (r) => r,
            (e: Error) => e.constructor.name,
          ),
        );
        clock.advance(MIN);
      }
      return outcomes;
    };

    expect(await pollEveryMinute(1)).toEqual(['ImapLoginRejectedError']);
    expect(store.rows.get(EMAIL)).toMatchObject({
      attempts: 1,
      secretVersion: 'v1',
      stopped: false,
      pairId: 'pair-alice',
      nextTryAt: new Date(clock.now() - MIN + 5 * MIN).toISOString(),
    });
    // Minutes 1-4 wait; minute 5 is the second attempt.
    const second = await pollEveryMinute(5);
    expect(second.slice(0, 4)).toEqual(Array(4).fill('MailboxCredentialsRejectedError'));
    expect(second[4]).toBe('ImapLoginRejectedError');
    expect(store.rows.get(EMAIL)).toMatchObject({ attempts: 2, stopped: false });
    // 30 minutes later the third and last attempt.
    const third = await pollEveryMinute(30);
    expect(third.filter((o) => o === 'ImapLoginRejectedError')).toHaveLength(1);
    expect(third.at(-1)).toBe('ImapLoginRejectedError');
    expect(store.rows.get(EMAIL)).toMatchObject({ attempts: 3, stopped: true });
    expect(store.rows.get(EMAIL)!.nextTryAt).toBeUndefined();
    // A day of polling with the same password: nothing reaches the server.
    const day = await pollEveryMinute(24 * 60);
    expect(new Set(day)).toEqual(new Set(['MailboxCredentialsRejectedError']));
    expect(logins).toEqual(['v1', 'v1', 'v1']);

    const [status] = await guard.rejectedMailboxes();
    expect(status).toMatchObject({ email: EMAIL, status: 'stopped', attempts: 3, secretVersion: 'v1' });
    expect(status.advice).toMatch(/stopped trying/);

    expect(audit).toHaveLength(3);
    expect(audit.every((a) => a.action === 'failure' && a.kind === 'mail' && a.pairId === 'pair-alice')).toBe(
      true,
    );
    expect(audit[0].reason).toMatch(/rejected the app password of alice@example.com \(attempt 1 of 3/);
    expect(audit[2].reason).toMatch(/3 times.*--set alice@example.com/);

    // The admin stores a new app password: the next poll tries it, succeeds, and the mark is gone.
    credentials.current = { user: EMAIL, password: PASSWORD_2, version: 'v2' };
    expect(await pollEveryMinute(1)).toEqual(['polled']);
    expect(logins).toEqual(['v1', 'v1', 'v1', 'v2']);
    expect(store.rows.size).toBe(0);
    expect(await guard.rejectedMailboxes()).toEqual([]);
  });

  test('a new version that is rejected too starts a fresh count of 3', async () => {
    const { guard, store, credentials } = setup();
    await expect(guard.withLogin(MAILBOX, server(PASSWORD_1).poll)).rejects.toThrow(ImapLoginRejectedError);
    credentials.current = { user: EMAIL, password: PASSWORD_2, version: 'v2' };
    await expect(guard.withLogin(MAILBOX, server(PASSWORD_2).poll)).rejects.toThrow(ImapLoginRejectedError);
    expect(store.rows.get(EMAIL)).toMatchObject({ secretVersion: 'v2', attempts: 1, stopped: false });
  });

  test('an admin reset lets the next poll try again; a missing app password is its own error', async () => {
    const { guard, store, credentials } = setup();
    const { poll } = server(PASSWORD_1);
    await expect(guard.withLogin(MAILBOX, poll)).rejects.toThrow(ImapLoginRejectedError);
    await expect(guard.withLogin(MAILBOX, poll)).rejects.toThrow(MailboxCredentialsRejectedError);
    await guard.reset('ALICE@example.com');
    expect(store.rows.size).toBe(0);
    expect(await guard.withLogin(MAILBOX, async () => 'ok')).toBe('ok');
    credentials.current = undefined;
    await expect(guard.withLogin(MAILBOX, poll)).rejects.toThrow(MissingAppPasswordError);
  });

  test('another instance learns of a rejection at its next refresh and keeps counting from the stored row', async () => {
    const a = setup();
    const b = new CredentialGuard({
      credentials: a.credentials,
      store: a.store,
      audit: { record: async () => undefined },
      logger: createLogger({ sink: () => undefined }),
      clock: a.clock,
    });
    const { poll } = server(PASSWORD_1);
    expect((await b.check(EMAIL)).ok).toBe(true); // b has read the (empty) table
    await expect(a.guard.withLogin(MAILBOX, poll)).rejects.toThrow(ImapLoginRejectedError);
    a.clock.advance(MIN);
    expect(await b.check(EMAIL)).toMatchObject({ ok: false, reason: 'backing-off' });
    a.clock.advance(5 * MIN);
    await expect(b.withLogin(MAILBOX, poll)).rejects.toThrow(ImapLoginRejectedError);
    expect(a.store.rows.get(EMAIL)!.attempts).toBe(2);
  });

  test('the guard as ImapCredentials: a login, undefined, or a typed refusal', async () => {
    const { guard, credentials } = setup();
    const port = guard.imapCredentials();
    expect(await port.loginFor(EMAIL)).toMatchObject({ version: 'v1' });
    await guard.loginRejected(MAILBOX, 'v1');
    await expect(port.loginFor(EMAIL)).rejects.toBeInstanceOf(MailboxCredentialsRejectedError);
    credentials.current = undefined;
    expect(await port.loginFor(EMAIL)).toBeUndefined();
  });

  test('a storage failure before the first read refuses the login; later ones keep the last view', async () => {
    const { guard, store, clock } = setup();
    const list = store.list.bind(store);
    store.list = async () => {
      throw new Error('storage unreachable');
    };
    await expect(guard.check(EMAIL)).rejects.toThrow('storage unreachable');
    store.list = list;
    await guard.loginRejected(MAILBOX, 'v1');
    expect((await guard.check(EMAIL)).ok).toBe(false);
    store.list = async () => {
      throw new Error('storage unreachable');
    };
    clock.advance(2 * MIN);
    expect(await guard.check(EMAIL)).toMatchObject({ ok: false, reason: 'backing-off' });
  });

  describe('no password anywhere', () => {
    let vault: FakeKeyVault;
    beforeAll(async () => {
      vault = await startFakeKeyVault();
    });
    afterAll(() => vault.stop());

    test('logs, audit rows, stored state and errors never hold the app password', async () => {
      const client = new SecretClient(
        vault.url,
        {
          getToken: async () => ({
            token: 'sandbox-key-vault-token',
            expiresOnTimestamp: Date.now() + 3600e3,
          }),
        },
        {
          allowInsecureConnection: true,
          disableChallengeResourceVerification: true,
          retryOptions: { maxRetries: 0 },
        },
      );
      const secret = 'kv-only-app-password-Zx81Qw';
      // Written behind the app's back, so only the read can have registered it with the logger.
      await client.setSecret('imap-bob-40example-2ecom', secret);
      const { store, audit, lines, clock, guard, logger } = setup(
        (clock) => new KeyVaultImapCredentials({ vault: createAppPasswordVault(client), clock }),
      );
      const bob = { email: 'bob@example.com', pairId: 'pair-bob' };
      const errors: unknown[] = [];
      const rejectLoudly = async (login: MailboxLogin) => {
        // An adapter that carelessly logs the login and puts the password in its error.
        logger.error(`login failed for ${login.user} with ${login.password}`, {
          login,
          pass: login.password,
        });
        const err = new ImapLoginRejectedError(login.user, login.version);
        throw Object.assign(err, { serverSaid: `NO LOGIN ${login.user} ${login.password}` });
      };
      for (let i = 0; i < 4; i++) {
        await guard.withLogin(bob, rejectLoudly).catch((e: unknown) => errors.push(e));
        clock.advance(3 * 3600_000);
      }
      await guard.loginRejected(bob, 'another', `NO [AUTHENTICATIONFAILED] password=${secret}`);
      logger.warn('status', { mailboxes: await guard.rejectedMailboxes() });

      expect(lines.length).toBeGreaterThan(3);
      expect(audit.length).toBe(4);
      const everything = [
        ...lines,
        JSON.stringify(audit),
        JSON.stringify([...store.rows.values()]),
        ...errors.map((e) => `${(e as Error).message} ${(e as Error).stack}`),
      ].join('\n');
      expect(everything).toContain('bob@example.com');
      expect(everything).not.toContain(secret);
      expect(errors.map((e) => (e as Error).constructor.name)).toEqual([
        'ImapLoginRejectedError',
        'ImapLoginRejectedError',
        'ImapLoginRejectedError',
        'MailboxCredentialsRejectedError',
      ]);
    });
  });
});
