import { createImapMailAdapter, type ImapMailAdapter } from '../../../../shared/connectors/imap';
import { systemClock } from '../../../../shared/platform/clock';
import { createLogger } from '../../../../shared/platform/logger';
import { PermanentRemoteError, TransientRemoteError, type UserRef } from '../../../../shared/sync/types';
import { startFakeMailServer, type FakeMailServer } from '../../../../sandbox/mail';

/**
 * imapflow answers a STATUS that failed (BYE, a dropped connection) with `false` rather than an error. Found by the
 * mail convergence property test: a poll right after a UIDVALIDITY change (the server ends the session that has the
 * folder open) failed as a permanent refusal, which stops retries and calls an admin, instead of a transient one.
 */

const EMAIL = 'li.lei@contoso.example';
const user: UserRef = { pairId: 'p', dingtalkUserId: 'd', dingtalkUnionId: 'u', entraId: 'e', email: EMAIL };
let server: FakeMailServer;
let adapter: ImapMailAdapter;

beforeAll(async () => {
  server = await startFakeMailServer({ host: '127.0.0.1' });
  server.control.addMailbox(EMAIL, 'app-password');
  adapter = createImapMailAdapter({
    host: server.host,
    port: server.port,
    secure: true,
    credentials: { loginFor: async () => ({ user: EMAIL, password: 'app-password', version: 'v1' }) },
    lookBackDays: 30,
    clock: systemClock,
    logger: createLogger({ sink: () => undefined }),
  });
});

afterAll(async () => {
  await adapter?.close();
  await server?.stop();
});

test('a BYE in answer to STATUS is a transient failure, and the next poll works on a new connection', async () => {
  const first = await adapter.listChanges(user, 'INBOX', undefined);
  server.control.faults.inject({ kind: 'bye', email: EMAIL, command: 'STATUS' });

  const failure = await adapter.listChanges(user, 'INBOX', first.nextCursor).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(TransientRemoteError);
  expect(failure).not.toBeInstanceOf(PermanentRemoteError);

  await expect(adapter.listChanges(user, 'INBOX', first.nextCursor)).resolves.toMatchObject({ changes: [] });
});

test('a STORE that fails (BYE) is a transient failure, not a write that happened; the retry writes it', async () => {
  server.control.deliver(
    EMAIL,
    'INBOX',
    'Subject: flags\r\nMessage-ID: <store-fail@example.com>\r\n\r\nbody\r\n',
  );
  const listed = await adapter.listChanges(user, 'INBOX', undefined);
  const item = listed.changes.find((c) => !('deleted' in c && c.deleted)) as Exclude<
    (typeof listed.changes)[number],
    { deleted: true }
  >;
  server.control.faults.inject({ kind: 'bye', email: EMAIL, command: 'UID STORE' });
  const read = { ...item.projection, seen: true };
  const failure = await adapter.update(user, item.id, read, item.version).catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(TransientRemoteError);
  expect(server.control.messages(EMAIL, 'INBOX')[0].flags).not.toContain('\\Seen');

  await adapter.update(user, item.id, read, item.version);
  expect(server.control.messages(EMAIL, 'INBOX')[0].flags).toContain('\\Seen');
});
