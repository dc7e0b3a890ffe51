import * as iconv from 'iconv-lite';
import type { ImapFlow } from 'imapflow';
import { ManualClock } from '../../../../shared/platform/clock';
import { createLogger } from '../../../../shared/platform/logger';
import { ImapLoginRejectedError, type ImapCredentials } from '../../../../shared/connectors/imap/credentials';
import { createImapMailAdapter, type ImapMailAdapter } from '../../../../shared/connectors/imap';
import { ORIGIN_HEADER } from '../../../../shared/connectors/imap/mail-adapter';
import type { MailProjection } from '../../../../shared/sync/mail-message';
import {
  type ChangePage,
  CursorExpiredError,
  isDeletion,
  NotFoundRemoteError,
  type RemoteItem,
  type UserRef,
  VersionConflictRemoteError,
} from '../../../../shared/sync/types';
import { imapServerLegs, type ImapTestServer } from '../../../support/imap-servers';

/**
 * One contract for the IMAP mail adapter, run against every IMAP server we have: a real Dovecot limited to the
 * capabilities DingTalk's server advertises, and the sandbox's fake. Tests deliver and change mail as another IMAP
 * client would, and record every command the adapter sends.
 */

const DAY = 86_400_000;
let seq = 0;

function message(
  subject: string,
  opts: { messageId?: string; date?: Date; extraHeaders?: string } = {},
): string {
  const id = opts.messageId ?? `<m${++seq}.${Date.now()}@example.net>`;
  return [
    `From: Sender <sender@example.net>`,
    `To: someone@example.com`,
    `Subject: ${subject}`,
    `Message-ID: ${id}`,
    `Date: ${(opts.date ?? new Date()).toUTCString()}`,
    ...(opts.extraHeaders ? [opts.extraHeaders] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}`,
    '',
  ].join('\r\n');
}

async function all(
  adapter: ImapMailAdapter,
  user: UserRef,
  folder = 'INBOX',
): Promise<{ items: RemoteItem<MailProjection>[]; cursor: string; pages: number }> {
  let cursor: string | undefined;
  const items: RemoteItem<MailProjection>[] = [];
  let pages = 0;
  let page: ChangePage<MailProjection>;
  do {
    page = await adapter.listChanges(user, folder, cursor);
    pages++;
    expect(page.fullListing).toBe(true);
    for (const c of page.changes) if (!isDeletion(c)) items.push(c);
    cursor = page.nextCursor;
  } while (page.more);
  return { items, cursor: cursor!, pages };
}

for (const leg of imapServerLegs()) {
  describe(`IMAP mail adapter contract: ${leg.name}`, () => {
    if (leg.unavailable) {
      test(`${leg.name} leg`, () => {
        const note = `The ${leg.name} leg of the IMAP contract did NOT run: ${leg.unavailable}.`;
        if (leg.required) throw new Error(`${note} It is required under CI.`);
        console.warn(note);
      });
      return;
    }

    let server: ImapTestServer;
    const commands: { mailbox: string; command: string }[] = [];
    const adapters: ImapMailAdapter[] = [];
    const clock = new ManualClock(Date.now());
    const passwords = new Map<string, string>();
    const credentials: ImapCredentials = {
      loginFor: async (email) =>
        passwords.has(email) ? { user: email, password: passwords.get(email)!, version: 'v1' } : undefined,
    };

    const newAdapter = (
      options: { pageSize?: number; credentials?: ImapCredentials; folder?: string } = {},
    ) => {
      const adapter = createImapMailAdapter({
        host: server.host,
        port: server.port,
        secure: true,
        tls: server.ca ? { ca: server.ca } : undefined,
        credentials: options.credentials ?? credentials,
        lookBackDays: 30,
        pageSize: options.pageSize,
        folder: options.folder,
        clock,
        logger: createLogger({ sink: () => undefined }),
        onCommand: (mailbox, command) => commands.push({ mailbox, command }),
      });
      adapters.push(adapter);
      return adapter;
    };

    const newMailbox = async (): Promise<{ user: UserRef; other: () => Promise<ImapFlow> }> => {
      const email = `u${++seq}.${leg.name}@example.com`;
      const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
      passwords.set(email, password);
      await server.addMailbox(email, password);
      const user: UserRef = { pairId: email, dingtalkUserId: 'd', dingtalkUnionId: 'u', entraId: 'e', email };
      return { user, other: () => server.client(email) };
    };

    const deliver = async (
      other: () => Promise<ImapFlow>,
      raw: string | Buffer,
      opts: { flags?: string[]; internalDate?: Date; folder?: string } = {},
    ): Promise<number> => {
      const c = await other();
      try {
        const res = await c.append(
          opts.folder ?? 'INBOX',
          raw,
          opts.flags ?? [],
          opts.internalDate ?? new Date(),
        );
        return res ? (res.uid ?? 0) : 0;
      } finally {
        await c.logout();
      }
    };

    const withOther = async <T>(
      other: () => Promise<ImapFlow>,
      fn: (c: ImapFlow) => Promise<T>,
    ): Promise<T> => {
      const c = await other();
      try {
        return await fn(c);
      } finally {
        await c.logout();
      }
    };

    /** Another client sets or clears one flag of a message (in INBOX unless told), as a person's mail app would. */
    const setFlag = (
      other: () => Promise<ImapFlow>,
      uid: number,
      flag: string,
      on: boolean,
      path = 'INBOX',
    ) =>
      withOther(other, async (cl) => {
        await cl.mailboxOpen(path);
        if (on) await cl.messageFlagsAdd(String(uid), [flag], { uid: true });
        else await cl.messageFlagsRemove(String(uid), [flag], { uid: true });
      });

    const commandsOf = (user: UserRef) =>
      commands.filter((c) => c.mailbox === user.email).map((c) => c.command);

    beforeAll(async () => {
      server = await leg.start();
    }, 60_000);

    afterAll(async () => {
      await Promise.all(adapters.map((a) => a.close()));
      // Every command any adapter sent in this suite: none of the extensions the real server lacks, no SEARCH.
      const sent = commands.map((c) => c.command);
      expect(sent.length).toBeGreaterThan(50);
      for (const cmd of sent) {
        expect(cmd).not.toMatch(
          /^(UID )?(SEARCH|MOVE)\b|^ENABLE\b|CONDSTORE|QRESYNC|CHANGEDSINCE|UNCHANGEDSINCE/i,
        );
      }
      await server?.stop();
    });

    test('a first listing covers the look-back window, oldest first, in pages', async () => {
      const { user, other } = await newMailbox();
      const now = Date.now();
      clock.set(now);
      await deliver(other, message('too old'), { internalDate: new Date(now - 40 * DAY) });
      const uids = [];
      for (let i = 0; i < 5; i++) {
        uids.push(
          await deliver(other, message(`recent ${i}`), {
            internalDate: new Date(now - (10 - i) * DAY),
            flags: i === 1 ? ['\\Seen'] : i === 2 ? ['\\Seen', '\\Flagged'] : [],
          }),
        );
      }
      // Moved in from an archive: a high UID with an old date stays out of the window.
      await deliver(other, message('old but new uid'), { internalDate: new Date(now - 90 * DAY) });
      const adapter = newAdapter({ pageSize: 2 });
      const { items, pages } = await all(adapter, user);
      expect(pages).toBe(3);
      expect(items.map((i) => i.projection.envelope.subject)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `recent ${i}`),
      );
      const uidValidity = items[0].id.split(':')[0];
      expect(items.map((i) => i.id)).toEqual(uids.map((u) => `${uidValidity}:${u}`));
      expect(items.map((i) => i.version)).toEqual(['-', 'S', 'SF', '-', '-']);
      const first = items[0];
      expect(first.projection.envelope).toMatchObject({
        from: 'sender@example.net',
        receivedAt: new Date(Math.floor((now - 10 * DAY) / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      });
      expect(first.projection.envelope.messageId).toMatch(/^<m\d+\..+@example\.net>$/);
      expect(first.matchKeys[0]).toMatch(/^mid:<m/);
      expect(first.modifiedAt).toBe(first.projection.envelope.receivedAt);
      // Reading the content never sets \Seen.
      const raw = await first.projection.content!.raw();
      expect(raw.toString()).toContain('Body of recent 0');
      expect((await adapter.get(user, first.id))!.version).toBe('-');
    });

    test('an idle poll reports nothing and costs STATUS, NOOP and one UID FETCH on a reused connection', async () => {
      const { user, other } = await newMailbox();
      await deliver(other, message('a'));
      const adapter = newAdapter();
      const { cursor } = await all(adapter, user);
      const before = commandsOf(user).length;
      const page = await adapter.listChanges(user, 'INBOX', cursor);
      expect(page.changes).toEqual([]);
      expect(page.fullListing).toBe(false);
      const idle = commandsOf(user).slice(before);
      expect(idle.map((c) => c.split(' (')[0].replace(/ [\d:*,]+$/, ''))).toEqual([
        'NOOP',
        'STATUS INBOX',
        'UID FETCH',
      ]);
      expect(idle[2]).toMatch(/^UID FETCH \d+:\* \(UID FLAGS\)$/);
      // One login for both calls: the connection was reused.
      expect(commandsOf(user).filter((c) => c === 'LOGIN' || c === 'AUTHENTICATE')).toHaveLength(1);
    });

    test('new mail is found by UIDNEXT and fetched once', async () => {
      const { user, other } = await newMailbox();
      await deliver(other, message('first'));
      const adapter = newAdapter();
      let { cursor } = await all(adapter, user);
      const uid = await deliver(other, message('second'), { flags: ['\\Flagged'] });
      const before = commandsOf(user).length;
      const page = await adapter.listChanges(user, 'INBOX', cursor);
      const sent = commandsOf(user).slice(before);
      expect(sent).toHaveLength(4); // NOOP, STATUS, UID FETCH window (FLAGS), UID FETCH details
      expect(page.changes).toHaveLength(1);
      const item = page.changes[0] as RemoteItem<MailProjection>;
      expect(item.id.endsWith(`:${uid}`)).toBe(true);
      expect(item.projection).toMatchObject({ seen: false, flagged: true });
      expect(item.version).toBe('F');
      cursor = page.nextCursor;
      expect((await adapter.listChanges(user, 'INBOX', cursor)).changes).toEqual([]);
    });

    test('flag changes and expunges by another client are reported', async () => {
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('a'));
      const b = await deliver(other, message('b'));
      const c = await deliver(other, message('c'));
      const adapter = newAdapter();
      const { cursor, items } = await all(adapter, user);
      const uv = items[0].id.split(':')[0];
      await withOther(other, async (cl) => {
        await cl.mailboxOpen('INBOX');
        await cl.messageFlagsAdd(String(a), ['\\Seen'], { uid: true });
        await cl.messageFlagsAdd(String(b), ['\\Flagged'], { uid: true });
        await cl.messageDelete(String(c), { uid: true });
      });
      const page = await adapter.listChanges(user, 'INBOX', cursor);
      const byId = new Map(page.changes.map((ch) => [ch.id, ch]));
      expect(byId.size).toBe(3);
      expect((byId.get(`${uv}:${a}`) as RemoteItem<MailProjection>).version).toBe('S');
      expect((byId.get(`${uv}:${b}`) as RemoteItem<MailProjection>).version).toBe('F');
      expect(byId.get(`${uv}:${c}`)).toEqual({ id: `${uv}:${c}`, deleted: true });
      expect((await adapter.listChanges(user, 'INBOX', page.nextCursor)).changes).toEqual([]);
    });

    test('a change below the flag window is found by the full scan when STATUS counts disagree', async () => {
      const { user, other } = await newMailbox();
      const first = await deliver(other, message('oldest'));
      for (let i = 0; i < 3; i++) await deliver(other, message(`n${i}`));
      const adapter = createImapMailAdapter({
        host: server.host,
        port: server.port,
        secure: true,
        tls: server.ca ? { ca: server.ca } : undefined,
        credentials,
        lookBackDays: 30,
        flagWindow: 2,
        clock,
        logger: createLogger({ sink: () => undefined }),
        onCommand: (mailbox, command) => commands.push({ mailbox, command }),
      });
      adapters.push(adapter);
      const { cursor } = await all(adapter, user);
      await withOther(other, async (cl) => {
        await cl.mailboxOpen('INBOX');
        await cl.messageFlagsAdd(String(first), ['\\Seen'], { uid: true });
      });
      const page = await adapter.listChanges(user, 'INBOX', cursor);
      expect(page.changes.map((ch) => ch.id.split(':')[1])).toEqual([String(first)]);
      // \Flagged does not move UNSEEN: it waits for the hourly full scan.
      await withOther(other, async (cl) => {
        await cl.mailboxOpen('INBOX');
        await cl.messageFlagsAdd(String(first), ['\\Flagged'], { uid: true });
      });
      const quiet = await adapter.listChanges(user, 'INBOX', page.nextCursor);
      expect(quiet.changes).toEqual([]);
      clock.advance(3_600_000);
      const hourly = await adapter.listChanges(user, 'INBOX', quiet.nextCursor);
      expect(hourly.changes.map((ch) => (ch as RemoteItem<MailProjection>).version)).toEqual(['SF']);
      clock.set(Date.now());
    });

    test('our own writes are not reported back by the next poll', async () => {
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('a'));
      const b = await deliver(other, message('b'));
      const adapter = newAdapter();
      const { cursor, items } = await all(adapter, user);
      const uv = items[0].id.split(':')[0];
      const updated = await adapter.update(
        user,
        `${uv}:${a}`,
        { ...items[0].projection, seen: true, flagged: true },
        '-',
      );
      expect(updated.version).toBe('SF');
      await adapter.delete(user, `${uv}:${b}`);
      const recent = new Date(Math.floor(Date.now() / 1000) * 1000 - DAY).toISOString().replace('.000Z', 'Z');
      const created = await adapter.create(user, copyOf('created here', recent), 'origin-own-1');
      const page = await adapter.listChanges(user, 'INBOX', cursor);
      expect(page.changes).toEqual([]);
      // The next poll starts from the snapshot that took them in.
      expect((await adapter.listChanges(user, 'INBOX', page.nextCursor)).changes).toEqual([]);
      // Another instance (no memo) reports the write with the version our write returned: the engine's echo rule.
      const elsewhere = newAdapter();
      const seen = await elsewhere.listChanges(user, 'INBOX', cursor);
      const echo = seen.changes.find((ch) => ch.id === updated.id) as RemoteItem<MailProjection>;
      expect(echo.version).toBe(updated.version);
      expect(seen.changes.find((ch) => ch.id === created.id)).toMatchObject({ version: created.version });
    });

    test('a person undoing our write before the next poll is a change, also for a poll retried from that cursor', async () => {
      // Found by the mail convergence test: the snapshot predates our write, so flags set back to their old value
      // looked unchanged, and the undo never reached Outlook (Outlook read, DingTalk unread, forever).
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('a'));
      const adapter = newAdapter();
      const { cursor, items } = await all(adapter, user);
      const written = await adapter.update(user, items[0].id, { ...items[0].projection, seen: true }, '-');
      expect(written.version).toBe('S');
      const setSeen = (seen: boolean) => setFlag(other, a, '\\Seen', seen);
      await setSeen(false);
      clock.advance(1_000);
      const versions = (page: ChangePage<MailProjection>) =>
        page.changes.map((ch) => [ch.id, (ch as RemoteItem<MailProjection>).version]);
      expect(versions(await adapter.listChanges(user, 'INBOX', cursor))).toEqual([[written.id, '-']]);
      // The pull failed and stored no cursor: the next poll starts from the same snapshot and must say it again.
      const retried = await adapter.listChanges(user, 'INBOX', cursor);
      expect(versions(retried)).toEqual([[written.id, '-']]);
      // From a snapshot taken after the write, the memo no longer hides anything: read again is a change.
      await setSeen(true);
      clock.advance(1_000);
      expect(versions(await adapter.listChanges(user, 'INBOX', retried.nextCursor))).toEqual([
        [written.id, 'S'],
      ]);
      clock.set(Date.now());
    });

    test.each(['INBOX', '\\Sent'])(
      'the cursor taken with our own view carries our write and a read to a poll in another process (%s)',
      async (folder) => {
        // Found by the mail convergence test (seed 1334219940): our write, the person's undo, then a crash. The new
        // process had no memo of the write and diffed against the older snapshot: the undo looked like no change.
        // The Sent folder is named by its special use and kept under its path (已发送 on the sandbox).
        const { user, other } = await newMailbox();
        const path = await withOther(
          other,
          async (cl) => (await cl.list()).find((f) => folder === 'INBOX' || f.specialUse === folder)!.path,
        );
        const a = await deliver(other, message('a'), { folder: path });
        const b = await deliver(other, message('b'), { folder: path });
        const adapter = newAdapter({ folder });
        const { cursor, items } = await all(adapter, user, folder);
        const [first, second] = items;
        expect(adapter.cursorWithOwnView(user, folder, cursor)).toBe(cursor);
        const written = await adapter.update(user, first.id, { ...first.projection, flagged: true }, '-');
        expect(written.version).toBe('F');
        await setFlag(other, b, '\\Seen', true, path);
        expect((await adapter.get(user, second.id))?.version).toBe('S');
        const stored = adapter.cursorWithOwnView(user, folder, cursor);
        expect(stored).not.toBe(cursor);
        clock.advance(1_000);
        // What the stored cursor vouches for is no change to anyone: the new process reports nothing.
        const fresh = newAdapter({ folder });
        expect((await fresh.listChanges(user, folder, stored)).changes).toEqual([]);
        // The person undoes both; a poll in yet another process reports both.
        await setFlag(other, a, '\\Flagged', false, path);
        await setFlag(other, b, '\\Seen', false, path);
        clock.advance(1_000);
        const page = await newAdapter({ folder }).listChanges(user, folder, stored);
        expect(page.changes.map((ch) => [ch.id, (ch as RemoteItem<MailProjection>).version]).sort()).toEqual([
          [first.id, '-'],
          [second.id, '-'],
        ]);
        // From the cursor as the poll left it (nothing new to take in), an idle poll stays idle.
        expect(fresh.cursorWithOwnView(user, folder, page.nextCursor)).toBe(page.nextCursor);
        clock.set(Date.now());
      },
    );

    test('a person setting the flags back to what we wrote is a change, even within the millisecond of our write', async () => {
      // Found by the mail convergence test: our write, a person's undo seen by the next poll, then their redo. With
      // the write and that poll in one millisecond, the redo equalled the memo of our write and was taken for its echo.
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('a'));
      const adapter = newAdapter();
      clock.set(Date.now());
      const { cursor, items } = await all(adapter, user);
      const written = await adapter.update(user, items[0].id, { ...items[0].projection, flagged: true }, '-');
      expect(written.version).toBe('F');
      const setFlagged = (flagged: boolean) => setFlag(other, a, '\\Flagged', flagged);
      const versions = (page: ChangePage<MailProjection>) =>
        page.changes.map((ch) => [ch.id, (ch as RemoteItem<MailProjection>).version]);
      await setFlagged(false);
      const undone = await adapter.listChanges(user, 'INBOX', cursor);
      expect(versions(undone)).toEqual([[written.id, '-']]);
      await setFlagged(true);
      expect(versions(await adapter.listChanges(user, 'INBOX', undone.nextCursor))).toEqual([
        [written.id, 'F'],
      ]);
      clock.set(Date.now());
    });

    test('a new UIDVALIDITY expires the cursor; old ids read as gone', async () => {
      const { user, other } = await newMailbox();
      await deliver(other, message('a'));
      const adapter = newAdapter();
      const { cursor, items } = await all(adapter, user);
      await adapter.close();
      await server.changeUidValidity(user.email, 'INBOX');
      const fresh = newAdapter();
      await expect(fresh.listChanges(user, 'INBOX', cursor)).rejects.toBeInstanceOf(CursorExpiredError);
      expect(await fresh.get(user, items[0].id)).toBeUndefined();
      await expect(fresh.update(user, items[0].id, items[0].projection, '-')).rejects.toBeInstanceOf(
        NotFoundRemoteError,
      );
      // The relist finds the same message under its new id; nothing was deleted.
      const relisted = await all(fresh, user);
      expect(relisted.items).toHaveLength(1);
      expect(relisted.items[0].id).not.toBe(items[0].id);
      expect(relisted.items[0].matchKeys).toEqual(items[0].matchKeys);
    });

    test('findRenumbered finds a message of the old numbering by its match keys; a current id that is gone stays gone', async () => {
      const { user, other } = await newMailbox();
      await deliver(other, message('a'));
      await deliver(other, message('b'), { flags: ['\\Seen'] });
      const adapter = newAdapter();
      const { items } = await all(adapter, user);
      const b = items.find((i) => (i as RemoteItem<MailProjection>).projection.envelope.subject === 'b')!;
      expect(await adapter.findRenumbered(user, b.id, b.matchKeys)).toBeUndefined();
      await adapter.close();
      await server.changeUidValidity(user.email, 'INBOX');
      const fresh = newAdapter();
      const found = await fresh.findRenumbered(user, b.id, b.matchKeys);
      expect(found?.id).not.toBe(b.id);
      expect(found).toMatchObject({ version: 'S', matchKeys: b.matchKeys });
      expect(
        await fresh.findRenumbered(user, b.id, ['mid:<nobody@example.com>|2020-01-01T00:00']),
      ).toBeUndefined();
      const sent = commandsOf(user);
      expect(sent.some((c) => /SEARCH/i.test(c))).toBe(false);
    });

    test('flags read by get, then set back to what the last poll saw, are reported by the next poll', async () => {
      // Found by the mail convergence test: the engine kept what get read (flagged) in the link, the person unflagged
      // again, and the poll, diffing against its older snapshot only, saw nothing: the link kept "flagged" for good.
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('a'));
      const adapter = newAdapter();
      const { cursor, items } = await all(adapter, user);
      const setFlagged = (flagged: boolean) => setFlag(other, a, '\\Flagged', flagged);
      await setFlagged(true);
      expect((await adapter.get(user, items[0].id))?.version).toBe('F');
      await setFlagged(false);
      const page = await adapter.listChanges(user, 'INBOX', cursor);
      expect(page.changes.map((ch) => [ch.id, (ch as RemoteItem<MailProjection>).version])).toEqual([
        [items[0].id, '-'],
      ]);
      // Our own write after such a read is still no change.
      const written = await adapter.update(user, items[0].id, { ...items[0].projection, seen: true }, '-');
      expect((await adapter.listChanges(user, 'INBOX', page.nextCursor)).changes).toEqual([]);
      expect(written.version).toBe('S');
    });

    const copyOf = (subject: string, receivedAt = '2026-03-01T08:05:07Z'): MailProjection => {
      const sentAt = new Date(Date.parse(receivedAt) - 60_000);
      const raw = message(subject, { date: sentAt });
      return {
        seen: true,
        flagged: true,
        envelope: {
          subject,
          receivedAt,
          sentAt: sentAt.toISOString().replace('.000Z', 'Z'),
          from: 'sender@example.net',
        },
        content: { raw: async () => Buffer.from(raw) },
      };
    };

    test('create APPENDs with flags, the original INTERNALDATE and our trace header, and returns the APPENDUID', async () => {
      const { user } = await newMailbox();
      const adapter = newAdapter();
      const created = await adapter.create(user, copyOf('copied'), 'origin-1');
      expect(created.id).toMatch(/^\d+:1$/);
      expect(created.version).toBe('SF');
      expect(created.originKey).toBe('origin-1');
      const appends = commandsOf(user).filter((c) => c.startsWith('APPEND'));
      expect(appends).toHaveLength(1);
      // RFC 3501 date-time: the day is two characters, space-padded.
      expect(appends[0]).toMatch(/^APPEND INBOX \(\\Seen \\Flagged\) " 1-Mar-2026 08:05:07 \+0000"/);
      const other = newAdapter();
      const read = (await other.get(user, created.id))!;
      expect(read).toMatchObject({ version: 'SF', originKey: 'origin-1' });
      expect(read.projection.envelope).toMatchObject({
        subject: 'copied',
        receivedAt: '2026-03-01T08:05:07Z',
      });
      const raw = (await read.projection.content!.raw()).toString();
      expect(raw.startsWith(`${ORIGIN_HEADER}: origin-1\r\nFrom: Sender`)).toBe(true);
    });

    test('a create whose result was lost is found by its header, so the retry does not append twice', async () => {
      const { user, other } = await newMailbox();
      for (let i = 0; i < 3; i++) await deliver(other, message(`noise ${i}`));
      const crashed = newAdapter();
      await crashed.create(user, copyOf('half done'), 'origin-crash'); // the result never reached the engine
      await crashed.close();
      const restarted = newAdapter(); // a new process: no memo of the create
      for (let i = 0; i < 2; i++) await deliver(other, message(`later ${i}`));
      const found = await restarted.findByOriginKey(user, 'origin-crash');
      expect(found).toBeDefined();
      expect(found!.originKey).toBe('origin-crash');
      expect(found!.projection.envelope.subject).toBe('half done');
      expect(await restarted.findByOriginKey(user, 'origin-never')).toBeUndefined();
      const count = await withOther(
        other,
        async (cl) => ((await cl.status('INBOX', { messages: true })) || { messages: -1 }).messages,
      );
      expect(count).toBe(6);
      expect(commandsOf(user).some((c) => /SEARCH/i.test(c))).toBe(false);
    });

    test('a conditional update conflicts when someone changed the flags since', async () => {
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('a'));
      const adapter = newAdapter();
      const { items } = await all(adapter, user);
      await withOther(other, async (cl) => {
        await cl.mailboxOpen('INBOX');
        await cl.messageFlagsAdd(String(a), ['\\Flagged'], { uid: true });
      });
      const err = await adapter
        .update(user, items[0].id, { ...items[0].projection, seen: true }, '-')
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VersionConflictRemoteError);
      expect((err as VersionConflictRemoteError).currentVersion).toBe('F');
      const ok = await adapter.update(
        user,
        items[0].id,
        { ...items[0].projection, seen: true, flagged: true },
        'F',
      );
      expect(ok.version).toBe('SF');
      const stores = commandsOf(user).filter((c) => c.startsWith('UID STORE'));
      expect(stores).toEqual([`UID STORE ${a} +FLAGS.SILENT (\\Seen)`]);
      // A flag we do not sync (\Answered) is left alone by a flag-only update.
      await withOther(other, async (cl) => {
        await cl.mailboxOpen('INBOX');
        await cl.messageFlagsAdd(String(a), ['\\Answered'], { uid: true });
      });
      await adapter.update(user, items[0].id, { ...items[0].projection, seen: false, flagged: false }, 'SF');
      const flags = await withOther(other, async (cl) => {
        await cl.mailboxOpen('INBOX');
        const row = await cl.fetchOne(String(a), { flags: true }, { uid: true });
        return row ? row.flags : undefined;
      });
      expect([...flags!]).toEqual(['\\Answered']);
    });

    test('delete moves the message to Trash and expunges only that UID', async () => {
      const { user, other } = await newMailbox();
      const a = await deliver(other, message('to trash'));
      const b = await deliver(other, message('marked by someone'), { flags: ['\\Deleted'] });
      const adapter = newAdapter();
      const { items } = await all(adapter, user);
      const target = items.find((i) => i.id.endsWith(`:${a}`))!;
      await adapter.delete(user, target.id, '-');
      const sent = commandsOf(user);
      expect(sent.some((c) => /^UID COPY \d+ \S+$/.test(c))).toBe(true);
      expect(sent.some((c) => /^UID EXPUNGE \d+$/.test(c))).toBe(true);
      expect(sent.some((c) => /^(EXPUNGE|CLOSE)$/.test(c))).toBe(false);
      await withOther(other, async (cl) => {
        const inbox = await cl.status('INBOX', { messages: true });
        expect(inbox && inbox.messages).toBe(1); // b is still there, marked \Deleted but not expunged by us
        const trash = (await cl.list()).find((f) => f.specialUse === '\\Trash')!;
        await cl.mailboxOpen(trash.path);
        const trashed = await cl.fetchAll('1:*', { envelope: true });
        expect(trashed.map((m) => m.envelope?.subject)).toEqual(['to trash']);
        void b;
      });
      await expect(adapter.delete(user, target.id)).rejects.toBeInstanceOf(NotFoundRemoteError);
      expect(await adapter.get(user, target.id)).toBeUndefined();
    });

    test('GB-family subjects decode as GB18030, encoded or raw 8-bit', async () => {
      const { user, other } = await newMailbox();
      const text = '朱镕基 – 测试 😀 €';
      const gb = iconv.encode(text, 'gb18030');
      await deliver(other, message(`=?gb2312?B?${gb.toString('base64')}?=`));
      // A client that split one character across two encoded-words (mailparser#173).
      const half = Math.floor(gb.length / 2) | 1;
      await deliver(
        other,
        message(
          `=?GBK?B?${gb.subarray(0, half).toString('base64')}?= =?GBK?B?${gb.subarray(half).toString('base64')}?=`,
        ),
      );
      const rawHeader = Buffer.concat([
        Buffer.from('From: sender@example.net\r\nSubject: '),
        gb,
        Buffer.from('\r\nMessage-ID: <raw8bit@example.net>\r\n\r\nbody\r\n'),
      ]);
      await deliver(other, rawHeader);
      const adapter = newAdapter();
      const { items } = await all(adapter, user);
      expect(items.map((i) => i.projection.envelope.subject)).toEqual([text, text, text]);
    });

    test('a rejected login raises ImapLoginRejectedError without the password, and is not retried', async () => {
      const { user } = await newMailbox();
      const wrong = 'Wr0ng-Pa55word-xyz';
      const creds: ImapCredentials = {
        loginFor: async (email) => ({ user: email, password: wrong, version: 'v7' }),
      };
      const adapter = newAdapter({ credentials: creds });
      const err = await adapter.listChanges(user, 'INBOX', undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImapLoginRejectedError);
      expect((err as ImapLoginRejectedError).secretVersion).toBe('v7');
      expect(JSON.stringify({ m: (err as Error).message, s: (err as Error).stack })).not.toContain(wrong);
      const logins = commandsOf(user).filter((c) => c === 'LOGIN' || c === 'AUTHENTICATE').length;
      await expect(adapter.listChanges(user, 'INBOX', undefined)).rejects.toBeInstanceOf(
        ImapLoginRejectedError,
      );
      expect(commandsOf(user).filter((c) => c === 'LOGIN' || c === 'AUTHENTICATE')).toHaveLength(logins);
      expect(commands.some((c) => c.command.includes(wrong))).toBe(false);
    });

    test('concurrent calls on one mailbox share one connection and never interleave', async () => {
      const { user, other } = await newMailbox();
      for (let i = 0; i < 3; i++) await deliver(other, message(`c${i}`));
      const adapter = newAdapter();
      const { cursor } = await all(adapter, user);
      const before = commandsOf(user).length;
      const pages = await Promise.all([1, 2, 3].map(() => adapter.listChanges(user, 'INBOX', cursor)));
      expect(pages.every((p) => p.changes.length === 0)).toBe(true);
      const sent = commandsOf(user).slice(before);
      // Each poll's commands run together, never interleaved with another poll's.
      expect(sent.map((c) => c.split(' ')[0])).toEqual([
        'NOOP',
        'STATUS',
        'UID',
        'NOOP',
        'STATUS',
        'UID',
        'NOOP',
        'STATUS',
        'UID',
      ]);
      expect(commandsOf(user).filter((c) => c === 'LOGIN' || c === 'AUTHENTICATE')).toHaveLength(1);
    });
  });
}
