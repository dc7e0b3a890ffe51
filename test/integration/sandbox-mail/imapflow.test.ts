import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import type { FakeMailServer } from '../../../sandbox/mail';
import { ALICE, imapClient, message, startServer } from './helpers';

/** The fake through a real IMAP client (imapflow), the way the mail sync and mail programs use it. */

let server: FakeMailServer;

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  await server.stop();
});

const MULTIPART = Buffer.concat([
  Buffer.from(
    'From: =?UTF-8?B?5byg5Lyf?= <zhang.wei@contoso.com>\r\nTo: alice.chen@contoso.com\r\n' +
      'Subject: =?GB18030?B?suLK1A==?=\r\nMessage-ID: <multi@contoso.com>\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=GB18030\r\n' +
      'Content-Transfer-Encoding: 8bit\r\n\r\n',
  ),
  iconv.encode('测试 😀 €', 'gb18030'),
  Buffer.from(
    '\r\n--b1\r\nContent-Type: application/octet-stream; name="a.bin"\r\nContent-Disposition: attachment; filename="a.bin"\r\n' +
      'Content-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--b1--\r\n',
  ),
]);

test('APPEND returns the APPENDUID and the message comes back byte for byte, 8-bit body included', async () => {
  const client = imapClient(server);
  await client.connect();
  const appended = await client.append('INBOX', MULTIPART, ['\\Seen'], new Date('2026-11-23T01:02:03Z'));
  expect(appended).toMatchObject({ uid: 1, uidValidity: 2n });
  const lock = await client.getMailboxLock('INBOX');
  try {
    const fetched = await client.fetchOne(
      '1',
      { uid: true, source: true, flags: true, internalDate: true, bodyStructure: true },
      { uid: true },
    );
    if (!fetched) throw new Error('message 1 not fetched');
    expect(Buffer.compare(fetched.source!, MULTIPART)).toBe(0);
    expect([...fetched.flags!]).toEqual(['\\Seen']);
    expect((fetched.internalDate as Date).toISOString()).toBe('2026-11-23T01:02:03.000Z');
    const structure = fetched.bodyStructure!;
    expect(structure.type).toBe('multipart/mixed');
    expect(
      structure.childNodes!.map((n: { part?: string; type: string; disposition?: string }) => [
        n.part,
        n.type,
        n.disposition,
      ]),
    ).toEqual([
      ['1', 'text/plain', undefined],
      ['2', 'application/octet-stream', 'attachment'],
    ]);
    const part = await client.download('1', '2', { uid: true });
    const chunks: Buffer[] = [];
    for await (const chunk of part.content!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([0, 1, 2, 255]));
    const parsed = await simpleParser(fetched.source!);
    expect(parsed.from?.value[0]).toMatchObject({ name: '张伟', address: 'zhang.wei@contoso.com' });
  } finally {
    lock.release();
  }
  await client.logout();
});

test('the poll the sync does: STATUS, then UID FETCH n:* without \\Seen, then a flags diff and a silent write-back', async () => {
  for (let i = 0; i < 3; i++) server.control.deliver(ALICE.email, 'INBOX', message(`poll${i}`));
  const client = imapClient(server);
  await client.connect();
  const status = await client.status('INBOX', {
    messages: true,
    uidNext: true,
    uidValidity: true,
    unseen: true,
  });
  expect(status).toMatchObject({ messages: 3, uidNext: 4, uidValidity: 2n, unseen: 3 });
  const lock = await client.getMailboxLock('INBOX');
  try {
    const fresh: number[] = [];
    for await (const m of client.fetch('3:*', { uid: true, envelope: true, source: true }, { uid: true })) {
      fresh.push(m.uid);
      expect(m.envelope?.messageId).toBe(`<poll${m.uid - 1}@contoso.com>`);
    }
    expect(fresh).toEqual([3]);
    expect(server.control.messages(ALICE.email, 'INBOX').every((m) => m.flags.length === 0)).toBe(true);
    server.control.setFlags(ALICE.email, 'INBOX', 2, ['\\Seen', '\\Flagged']);
    const flags = new Map<number, string[]>();
    for await (const m of client.fetch('1:*', { uid: true, flags: true }, { uid: true }))
      flags.set(m.uid, [...m.flags!]);
    expect(flags.get(2)?.sort()).toEqual(['\\Flagged', '\\Seen']);
    expect(await client.messageFlagsAdd('1', ['\\Seen'], { uid: true, silent: true } as never)).toBe(true);
    expect(server.control.messages(ALICE.email, 'INBOX')[0].flags).toEqual(['\\Seen']);
    expect(await client.search({ seen: false }, { uid: true })).toEqual([3]);
  } finally {
    lock.release();
  }
  await client.logout();
  const sent = server.control.commands({ email: ALICE.email }).map((c) => c.line);
  expect(sent.some((l) => /CONDSTORE|CHANGEDSINCE|MODSEQ|\bMOVE\b|ENABLE|SEARCH (?!UNSEEN$)/i.test(l))).toBe(
    false,
  );
  expect(server.control.loginCount(ALICE.email)).toBe(1);
});

test('imapflow finds the special-use folders through XLIST and moves by COPY + EXPUNGE', async () => {
  server.control.deliver(ALICE.email, 'INBOX', message('to trash'));
  const client = imapClient(server);
  await client.connect();
  const folders = await client.list();
  expect(folders.map((f) => [f.path, f.specialUse])).toEqual(
    expect.arrayContaining([
      ['已发送', '\\Sent'],
      ['草稿', '\\Drafts'],
      ['已删除', '\\Trash'],
      ['垃圾邮件', '\\Junk'],
    ]),
  );
  const lock = await client.getMailboxLock('INBOX');
  try {
    const moved = await client.messageMove('1', '已删除', { uid: true });
    expect(moved && [...moved.uidMap!]).toEqual([[1, 1]]);
  } finally {
    lock.release();
  }
  await client.logout();
  expect(server.control.messages(ALICE.email, 'INBOX')).toHaveLength(0);
  expect(server.control.messages(ALICE.email, 'Trash')[0].raw.toString()).toBe(message('to trash'));
  const commands = server.control.commands({ email: ALICE.email }).map((c) => c.command);
  expect(commands).toEqual(expect.arrayContaining(['XLIST', 'UID COPY', 'UID STORE', 'UID EXPUNGE']));
  expect(commands).not.toContain('UID MOVE');
});

test('a refused keyword reaches imapflow as a failed STORE; a wrong password as an authentication failure', async () => {
  server.control.deliver(ALICE.email, 'INBOX', message('k'));
  const client = imapClient(server);
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    expect(await client.messageFlagsAdd('1', ['$Synced'], { uid: true })).toBe(false);
  } finally {
    lock.release();
  }
  await client.logout();
  const wrong = imapClient(server, { ...ALICE, password: 'nope' });
  await expect(wrong.connect()).rejects.toMatchObject({ authenticationFailed: true });
});
