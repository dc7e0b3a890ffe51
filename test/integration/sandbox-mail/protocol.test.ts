import type { FakeMailServer } from '../../../sandbox/mail';
import { ALICE, BOB, message, RawImap, startServer } from './helpers';

/** Exact reply lines over a raw TLS socket, as `openssl s_client -crlf` would show them. */

let server: FakeMailServer;
const open: RawImap[] = [];

beforeEach(async () => {
  server = await startServer();
});

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await server.stop();
});

async function login(who = ALICE): Promise<RawImap> {
  const client = await RawImap.login(server, who.email, who.password);
  open.push(client);
  return client;
}

function deliver(count: number, folder = 'INBOX'): number[] {
  return Array.from(
    { length: count },
    (_, i) => server.control.deliver(ALICE.email, folder, message(`m${i}`)).uid,
  );
}

describe('greeting, capabilities and login', () => {
  test('greets and advertises exactly what the real server advertises', async () => {
    const { client, greeting } = await RawImap.open(server);
    open.push(client);
    expect(greeting).toBe('* OK AliYun IMAP Server Ready');
    expect(await client.command('CAPABILITY')).toEqual([
      '* CAPABILITY IMAP4rev1 IDLE XLIST UIDPLUS ID SASL-IR AUTH=XOAUTH AUTH=XOAUTH2 AUTH=EXTERNAL',
      't1 OK CAPABILITY completed',
    ]);
    const id = await client.command('ID ("name" "probe")');
    expect(id[0]).toMatch(/^\* ID \(/);
    expect(id[1]).toBe('t2 OK ID completed');
  });

  test('a wrong password or an unknown mailbox is refused; the right one logs in and is counted', async () => {
    const { client } = await RawImap.open(server);
    open.push(client);
    expect(await client.command(`LOGIN ${ALICE.email} wrong`)).toEqual(['t1 NO LOGIN failed']);
    expect(await client.command(`LOGIN nobody@contoso.com x`)).toEqual(['t2 NO LOGIN failed']);
    expect(await client.command('SELECT INBOX')).toEqual(['t3 BAD please login first']);
    expect(server.control.loginCount(ALICE.email)).toBe(0);
    expect(await client.command(`LOGIN "${ALICE.email}" "${ALICE.password}"`)).toEqual([
      't4 OK LOGIN completed',
    ]);
    expect(server.control.loginCount(ALICE.email)).toBe(1);
    server.control.setPassword(ALICE.email, 'rotated');
    const again = await login({ ...ALICE, password: 'rotated' });
    expect(await again.command('NOOP')).toEqual(['t2 OK NOOP completed']);
  });

  test('AUTHENTICATE is advertised but ends in NO; LOGOUT says BYE and closes', async () => {
    const { client } = await RawImap.open(server);
    expect(await client.command('AUTHENTICATE XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHgBAQ==')).toEqual([
      't1 NO AUTHENTICATE failed',
    ]);
    expect(await client.command('LOGOUT')).toEqual(['* BYE logging out', 't2 OK LOGOUT completed']);
    await client.waitClosed();
  });

  test('commands that are not advertised are BAD, like the real server', async () => {
    const client = await login();
    await client.command('SELECT INBOX');
    for (const line of [
      'ENABLE CONDSTORE',
      'MOVE 1 Trash',
      'UID MOVE 1 Trash',
      'UNSELECT',
      'NAMESPACE',
      'STARTTLS',
      'FETCH 1:* (FLAGS) (CHANGEDSINCE 1)',
      'FETCH 1 (FLAGS MODSEQ)',
      'UID FETCH 1 (X-GM-MSGID)',
      'GETQUOTAROOT INBOX',
      'SELECT INBOX (CONDSTORE)',
    ]) {
      const lines = await client.command(line);
      expect(lines[lines.length - 1]).toMatch(/^t\d+ BAD invalid command or parameters$/);
    }
  });
});

describe('folders', () => {
  test('SELECT answers like the real server: counts, UNSEEN, UIDNEXT, UIDVALIDITY, FLAGS, PERMANENTFLAGS without \\*', async () => {
    deliver(3);
    server.control.setFlags(ALICE.email, 'INBOX', 1, ['\\Seen']);
    const client = await login();
    expect(await client.command('SELECT INBOX')).toEqual([
      '* 3 EXISTS',
      '* 0 RECENT',
      '* OK [UNSEEN 2]',
      '* OK [UIDNEXT 4] Predicted next UID.',
      '* OK [UIDVALIDITY 2] UIDs valid.',
      '* FLAGS (\\Answered \\Seen \\Deleted \\Draft \\Flagged)',
      '* OK [PERMANENTFLAGS (\\Answered \\Seen \\Deleted \\Draft \\Flagged)] Limited.',
      't2 OK [READ-WRITE] SELECT completed',
    ]);
    const examine = await client.command('EXAMINE inbox');
    expect(examine).toContain('* OK [PERMANENTFLAGS ()] Limited.');
    expect(examine[examine.length - 1]).toBe('t3 OK [READ-ONLY] EXAMINE completed');
    expect(await client.command('SELECT Nowhere')).toEqual(['t4 NO mailbox does not exist']);
  });

  test('LIST, XLIST and LSUB show INBOX and the Chinese standard folders in modified UTF-7', async () => {
    const client = await login();
    expect(await client.command('LIST "" ""')).toEqual([
      '* LIST (\\Noselect) "/" ""',
      't2 OK LIST completed',
    ]);
    expect(await client.command('XLIST "" "*"')).toEqual([
      '* XLIST (\\HasNoChildren \\Inbox) "/" "INBOX"',
      '* XLIST (\\HasNoChildren \\Sent) "/" "&XfJT0ZAB-"',
      '* XLIST (\\HasNoChildren \\Drafts) "/" "&g0l6Pw-"',
      '* XLIST (\\HasNoChildren \\Trash) "/" "&XfJSIJZk-"',
      '* XLIST (\\HasNoChildren \\Spam) "/" "&V4NXPpCuTvY-"',
      't3 OK XLIST completed',
    ]);
    const list = await client.command('LIST "" "*"');
    expect(list).toHaveLength(6);
    expect(list[1]).toBe('* LIST (\\HasNoChildren) "/" "&XfJT0ZAB-"');
    expect(await client.command('LSUB "" "IN%"')).toEqual([
      '* LSUB (\\HasNoChildren) "/" "INBOX"',
      't5 OK LSUB completed',
    ]);
    expect(server.control.folders(ALICE.email).map((f) => f.name)).toEqual([
      'INBOX',
      '已发送',
      '草稿',
      '已删除',
      '垃圾邮件',
    ]);
  });

  test('STATUS reports MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT in the order asked; other items are BAD', async () => {
    deliver(2);
    server.control.setFlags(ALICE.email, 'INBOX', 2, ['\\Seen']);
    const client = await login();
    expect(await client.command('STATUS INBOX (UIDNEXT MESSAGES UIDVALIDITY UNSEEN RECENT)')).toEqual([
      '* STATUS "INBOX" (UIDNEXT 3 MESSAGES 2 UIDVALIDITY 2 UNSEEN 1 RECENT 0)',
      't2 OK STATUS completed',
    ]);
    expect(await client.command('STATUS INBOX (HIGHESTMODSEQ)')).toEqual([
      't3 BAD invalid command or parameters',
    ]);
    expect(await client.command('STATUS Nowhere (MESSAGES)')).toEqual(['t4 NO mailbox does not exist']);
  });
});

describe('APPEND', () => {
  test('a synchronising literal gets "+", then APPENDUID with the folder UIDVALIDITY and the new UID', async () => {
    deliver(1);
    const client = await login();
    const raw = message('appended');
    client.write(
      `a1 APPEND INBOX (\\Seen \\Flagged) "23-Nov-2026 08:00:00 +0800" {${Buffer.byteLength(raw)}}\r\n`,
    );
    expect(await client.readLines((l) => l.length >= 1)).toEqual(['+ Ready for additional command text']);
    client.write(`${raw}\r\n`);
    expect(await client.untilTagged('a1')).toEqual(['a1 OK [APPENDUID 2 2] APPEND completed']);
    const [stored] = server.control.messages(ALICE.email, 'INBOX').slice(-1);
    expect(stored.raw.toString()).toBe(raw);
    expect(stored.flags.sort()).toEqual(['\\Flagged', '\\Seen']);
    expect(new Date(stored.internalDate).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  test('LITERAL+ is not advertised, so {n+} is refused (the data is read and dropped, the session goes on)', async () => {
    const client = await login();
    const raw = message('nonsync');
    client.write(`a1 APPEND INBOX {${Buffer.byteLength(raw)}+}\r\n${raw}\r\n`);
    expect(await client.untilTagged('a1')).toEqual(['a1 BAD invalid command or parameters']);
    expect(await client.command('NOOP')).toEqual(['t2 OK NOOP completed']);
    expect(server.control.messages(ALICE.email, 'INBOX')).toHaveLength(0);
  });

  test('a keyword, an unknown folder and a message over the size limit are refused', async () => {
    await server.stop();
    server = await startServer({ maxMessageBytes: 1000 });
    const client = await login();
    client.write('a1 APPEND INBOX ($Synced) {5}\r\n');
    await client.readLines((l) => l.length >= 1);
    client.write('hello\r\n');
    expect(await client.untilTagged('a1')).toEqual(['a1 NO keywords are not supported']);
    client.write('a2 APPEND Nowhere {5}\r\n');
    await client.readLines((l) => l.length >= 1);
    client.write('hello\r\n');
    expect(await client.untilTagged('a2')).toEqual(['a2 NO [TRYCREATE] mailbox does not exist']);
    client.write('a3 APPEND INBOX {1001}\r\n');
    expect(await client.untilTagged('a3')).toEqual(['a3 NO message too large: the limit is 1000 bytes']);
    expect(await client.command('NOOP')).toEqual(['t2 OK NOOP completed']);
  });
});

describe('FETCH', () => {
  test('BODY[] sets \\Seen and reports it; BODY.PEEK[] does not; EXAMINE never does', async () => {
    deliver(2);
    const client = await login();
    await client.command('SELECT INBOX');
    const peek = await client.command('FETCH 1 (BODY.PEEK[])');
    expect(peek[0]).toMatch(/^\* 1 FETCH \(BODY\[\] \{\d+\}$/);
    expect(server.control.messages(ALICE.email, 'INBOX')[0].flags).toEqual([]);
    const body = await client.command('UID FETCH 1 (BODY[])');
    expect(body.join('\n')).toMatch(
      /^\* 1 FETCH \(UID 1 BODY\[\] \{\d+\}[\s\S]* FLAGS \(\\Seen\)\)\nt4 OK UID FETCH completed$/,
    );
    expect(server.control.messages(ALICE.email, 'INBOX')[0].flags).toEqual(['\\Seen']);
    await client.command('EXAMINE INBOX');
    await client.command('FETCH 2 (BODY[] RFC822.TEXT)');
    expect(server.control.messages(ALICE.email, 'INBOX')[1].flags).toEqual([]);
  });

  test('UID, FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE, header fields and partial bodies', async () => {
    const raw = message('Fields', 'Hello world\r\n');
    server.control.deliver(ALICE.email, 'INBOX', raw, { internalDate: Date.parse('2026-11-23T02:03:04Z') });
    const client = await login();
    await client.command('SELECT INBOX');
    const lines = await client.command('FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)');
    expect(lines[0]).toBe(
      `* 1 FETCH (UID 1 FLAGS () INTERNALDATE "23-Nov-2026 02:03:04 +0000" RFC822.SIZE ${Buffer.byteLength(raw)} ` +
        'ENVELOPE ("Mon, 23 Nov 2026 10:00:00 +0800" "Fields" (("Zhang Wei" NIL "zhang.wei" "contoso.com")) ' +
        '(("Zhang Wei" NIL "zhang.wei" "contoso.com")) (("Zhang Wei" NIL "zhang.wei" "contoso.com")) ' +
        '(("Alice Chen" NIL "alice.chen" "contoso.com")) NIL NIL NIL "<Fields@contoso.com>") ' +
        'BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 13 1 NIL NIL NIL NIL))',
    );
    const fields = await client.command('UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID SUBJECT)])');
    expect(fields.slice(0, 4)).toEqual([
      '* 1 FETCH (UID 1 BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] {53}',
      'Subject: Fields',
      'Message-ID: <Fields@contoso.com>',
      '',
    ]);
    const partial = await client.command('FETCH 1 (BODY.PEEK[TEXT]<6.5>)');
    expect(partial.slice(0, 2)).toEqual(['* 1 FETCH (BODY[TEXT]<6> {5}', 'world)']);
    const header = await client.command('FETCH 1 (BODY.PEEK[HEADER])');
    expect(header[0]).toBe(`* 1 FETCH (BODY[HEADER] {${raw.indexOf('\r\n\r\n') + 4}}`);
  });

  test('n:* always includes the highest UID (RFC 3501), for FETCH and SEARCH', async () => {
    deliver(3);
    const client = await login();
    await client.command('SELECT INBOX');
    expect(await client.command('UID FETCH 10:* (UID)')).toEqual([
      '* 3 FETCH (UID 3)',
      't3 OK UID FETCH completed',
    ]);
    expect(await client.command('UID FETCH 2:* (FLAGS)')).toEqual([
      '* 2 FETCH (UID 2 FLAGS ())',
      '* 3 FETCH (UID 3 FLAGS ())',
      't4 OK UID FETCH completed',
    ]);
    expect(await client.command('UID SEARCH UID 9:*')).toEqual(['* SEARCH 3', 't5 OK UID SEARCH completed']);
    expect(await client.command('FETCH 3:* (UID)')).toEqual(['* 3 FETCH (UID 3)', 't6 OK FETCH completed']);
    expect(await client.command('UID FETCH 7 (UID)')).toEqual(['t7 OK UID FETCH completed']);
    expect(await client.command('FETCH 0 (UID)')).toEqual(['t8 BAD invalid command or parameters']);
  });
});

describe('SEARCH', () => {
  test('only ALL, SEEN, UNSEEN and UID <set> are accepted', async () => {
    deliver(3);
    server.control.setFlags(ALICE.email, 'INBOX', 2, ['\\Seen']);
    const client = await login();
    await client.command('SELECT INBOX');
    expect(await client.command('UID SEARCH ALL')).toEqual(['* SEARCH 1 2 3', 't3 OK UID SEARCH completed']);
    expect(await client.command('SEARCH UNSEEN')).toEqual(['* SEARCH 1 3', 't4 OK SEARCH completed']);
    expect(await client.command('UID SEARCH SEEN')).toEqual(['* SEARCH 2', 't5 OK UID SEARCH completed']);
    expect(await client.command('UID SEARCH UID 2:3 UNSEEN')).toEqual([
      '* SEARCH 3',
      't6 OK UID SEARCH completed',
    ]);
    let tag = 7;
    for (const criteria of [
      'CHARSET UTF-8 UNSEEN',
      'CHARSET UTF-8 UNSEEN SMALLER 100',
      '(SUBJECT "test134")',
      'SUBJECT x',
      'OR OR FROM a SUBJECT b FROM c',
      'SINCE 1-Jan-2026',
      'SMALLER 10',
      '1:*',
      'FLAGGED',
    ]) {
      expect(await client.command(`UID SEARCH ${criteria}`)).toEqual([
        `t${tag++} BAD invalid command or parameters`,
      ]);
    }
  });
});

describe('STORE', () => {
  test('FLAGS, +FLAGS and -FLAGS answer with FETCH; .SILENT answers nothing; keywords are refused', async () => {
    deliver(2);
    const client = await login();
    await client.command('SELECT INBOX');
    expect(await client.command('STORE 1 +FLAGS (\\Seen \\Flagged)')).toEqual([
      '* 1 FETCH (FLAGS (\\Seen \\Flagged))',
      't3 OK STORE completed',
    ]);
    expect(await client.command('UID STORE 1 -FLAGS \\Flagged')).toEqual([
      '* 1 FETCH (UID 1 FLAGS (\\Seen))',
      't4 OK UID STORE completed',
    ]);
    expect(await client.command('UID STORE 1:2 +FLAGS.SILENT (\\Answered)')).toEqual([
      't5 OK UID STORE completed',
    ]);
    expect(server.control.messages(ALICE.email, 'INBOX').map((m) => m.flags.sort())).toEqual([
      ['\\Answered', '\\Seen'],
      ['\\Answered'],
    ]);
    expect(await client.command('STORE 2 FLAGS.SILENT (\\Draft)')).toEqual(['t6 OK STORE completed']);
    expect(server.control.messages(ALICE.email, 'INBOX')[1].flags).toEqual(['\\Draft']);
    expect(await client.command('STORE 1 +FLAGS ($Synced)')).toEqual(['t7 NO keywords are not supported']);
    expect(await client.command('UID STORE 1 +FLAGS.SILENT (\\Seen Junk)')).toEqual([
      't8 NO keywords are not supported',
    ]);
    expect(await client.command('STORE 1 +FLAGS (\\Recent)')).toEqual([
      't9 BAD invalid command or parameters',
    ]);
    expect(await client.command('UID STORE 1 (UNCHANGEDSINCE 5) +FLAGS (\\Seen)')).toEqual([
      't10 BAD invalid command or parameters',
    ]);
    await client.command('EXAMINE INBOX');
    expect(await client.command('STORE 1 +FLAGS (\\Seen)')).toEqual(['t12 NO mailbox is read-only']);
  });
});

describe('COPY, EXPUNGE and other sessions', () => {
  test('COPY answers COPYUID with the destination UIDVALIDITY and both UID sets; the source stays', async () => {
    deliver(4);
    server.control.deliver(ALICE.email, 'Trash', message('already there'));
    const client = await login();
    await client.command('SELECT INBOX');
    expect(await client.command('UID COPY 1:2,4 "&XfJSIJZk-"')).toEqual([
      't3 OK [COPYUID 2 1:2,4 2:4] UID COPY completed',
    ]);
    expect(await client.command('COPY 3 Nowhere')).toEqual(['t4 NO [TRYCREATE] mailbox does not exist']);
    expect(server.control.messages(ALICE.email, 'INBOX')).toHaveLength(4);
    const trash = server.control.messages(ALICE.email, 'Trash');
    expect(trash.map((m) => m.uid)).toEqual([1, 2, 3, 4]);
    expect(trash[1].raw.equals(server.control.messages(ALICE.email, 'INBOX')[0].raw)).toBe(true);
  });

  test('EXPUNGE and UID EXPUNGE remove \\Deleted messages with untagged EXPUNGE; UIDs are never reused', async () => {
    deliver(5);
    const client = await login();
    await client.command('SELECT INBOX');
    await client.command('STORE 2,4,5 +FLAGS.SILENT (\\Deleted)');
    expect(await client.command('UID EXPUNGE 4:5')).toEqual([
      '* 5 EXPUNGE',
      '* 4 EXPUNGE',
      't4 OK UID EXPUNGE completed',
    ]);
    expect(await client.command('EXPUNGE')).toEqual(['* 2 EXPUNGE', 't5 OK EXPUNGE completed']);
    expect(server.control.messages(ALICE.email, 'INBOX').map((m) => m.uid)).toEqual([1, 3]);
    expect(server.control.deliver(ALICE.email, 'INBOX', message('later')).uid).toBe(6);
    expect(await client.command('NOOP')).toEqual(['* 3 EXISTS', 't6 OK NOOP completed']);
    await client.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
    expect(await client.command('CLOSE')).toEqual(['t8 OK CLOSE completed']);
    expect(server.control.messages(ALICE.email, 'INBOX').map((m) => m.uid)).toEqual([3, 6]);
  });

  test("another session's changes arrive on NOOP: EXPUNGE, EXISTS and FETCH FLAGS; never EXPUNGE during FETCH", async () => {
    deliver(3);
    const watcher = await login();
    const actor = await login();
    await watcher.command('SELECT INBOX');
    await actor.command('SELECT INBOX');
    await actor.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await actor.command('EXPUNGE');
    server.control.deliver(ALICE.email, 'INBOX', message('new'));
    server.control.setFlags(ALICE.email, 'INBOX', 3, ['\\Seen']);
    expect(await watcher.command('FETCH 1 (UID)')).toEqual([
      '* 4 EXISTS',
      '* 3 FETCH (UID 3 FLAGS (\\Seen))',
      // message 1 is gone but not yet announced: RFC 3501 §7.4.1 lets the server leave it out
      't3 OK FETCH completed',
    ]);
    expect(await watcher.command('NOOP')).toEqual(['* 1 EXPUNGE', 't4 OK NOOP completed']);
    expect(await watcher.command('FETCH 1:* (UID)')).toEqual([
      '* 1 FETCH (UID 2)',
      '* 2 FETCH (UID 3)',
      '* 3 FETCH (UID 4)',
      't5 OK FETCH completed',
    ]);
  });

  test('IDLE reports new mail and flag changes as they happen, until DONE', async () => {
    const client = await login();
    await client.command('SELECT INBOX');
    client.write('i1 IDLE\r\n');
    expect(await client.readLines((l) => l.length >= 1)).toEqual(['+ idling']);
    server.control.deliver(ALICE.email, 'INBOX', message('pushed'));
    expect(await client.readLines((l) => l.length >= 1)).toEqual(['* 1 EXISTS']);
    server.control.setFlags(ALICE.email, 'INBOX', 1, ['\\Flagged']);
    expect(await client.readLines((l) => l.length >= 1)).toEqual(['* 1 FETCH (UID 1 FLAGS (\\Flagged))']);
    client.write('DONE\r\n');
    expect(await client.untilTagged('i1')).toEqual(['i1 OK IDLE terminated']);
  });

  test('a UIDVALIDITY change renumbers from 1 and ends sessions that had the folder open', async () => {
    deliver(3);
    server.control.expunge(ALICE.email, 'INBOX', 2);
    const client = await login();
    await client.command('SELECT INBOX');
    const before = server.control.folders(ALICE.email)[0].uidValidity;
    const after = server.control.changeUidValidity(ALICE.email, 'INBOX');
    expect(after).toBeGreaterThan(before);
    expect(server.control.messages(ALICE.email, 'INBOX').map((m) => m.uid)).toEqual([1, 2]);
    client.write('t9 NOOP\r\n');
    await client.waitClosed();
    const fresh = await login();
    expect(await fresh.command('STATUS INBOX (UIDVALIDITY UIDNEXT MESSAGES)')).toEqual([
      `* STATUS "INBOX" (UIDVALIDITY ${after} UIDNEXT 3 MESSAGES 2)`,
      't2 OK STATUS completed',
    ]);
    // Other folders keep theirs.
    expect(server.control.folders(ALICE.email)[1].uidValidity).toBe(before);
  });

  test('mailboxes are separate', async () => {
    server.control.deliver(BOB.email, 'INBOX', message('for bob'));
    const client = await login();
    expect(await client.command('STATUS INBOX (MESSAGES)')).toEqual([
      '* STATUS "INBOX" (MESSAGES 0)',
      't2 OK STATUS completed',
    ]);
    expect(server.control.commands({ email: ALICE.email }).map((c) => c.command)).toEqual([
      'LOGIN',
      'STATUS',
    ]);
  });
});
