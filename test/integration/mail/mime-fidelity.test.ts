import { createHash } from 'node:crypto';
import { base64Damage, parseMime } from '../../../shared/mail/parse-mime';
import { ORIGIN_HEADER } from '../../../shared/connectors/imap/mail-adapter';
import type { UserRef } from '../../../shared/sync/types';
import {
  committedCorpus,
  corpus,
  largeAttachmentMessage,
  type CorpusMessage,
  type Expected,
} from '../../fixtures/mime/generate';
import { startMailWorld, type MailWorld } from './support/mail-world';

/**
 * MIME fidelity: every message of the corpus (test/fixtures/mime, real-world shapes) crosses DingTalk → Outlook
 * through the real adapters and one `runPull`, and the Outlook copy is read back from the sandbox Graph and compared
 * with what the sender wrote: subject, sender, dates to the second, body text, each attachment's name and bytes,
 * inline images with their Content-IDs. A message that cannot be carried whole is carried with a note that names
 * what is missing, and audited; the messages after it in the same mailbox sync in the same pull. The other way,
 * Outlook → DingTalk, the IMAP copy is the original's bytes with one trace header on top.
 */

interface RenderedAttachment {
  name: string;
  contentType: string;
  contentBytes: string;
  contentId?: string | null;
  isInline: boolean;
}

interface RenderedMessage {
  id: string;
  subject: string;
  from: { emailAddress: { name?: string; address: string } };
  sentDateTime: string;
  receivedDateTime: string;
  internetMessageId: string;
  isDraft: boolean;
  body: { contentType: string; content: string };
  attachments: RenderedAttachment[];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
/** Delivered a minute and a half after it was sent, as INTERNALDATE. */
const deliveredAt = (e: Expected) => Date.parse(e.date) + 90_000;

let w: MailWorld;
let person: UserRef;
const delivered: Array<{ message: CorpusMessage; dingtalkId: string }> = [];
let firstPull: Awaited<ReturnType<MailWorld['pull']>>;
let firstPullMs = 0;

const committed = committedCorpus();
const large = largeAttachmentMessage();
const all = [...committed, large];

beforeAll(async () => {
  w = await startMailWorld();
  person = w.addPerson('fidelity');
  for (const message of all) {
    const { uid, uidValidity } = w.imapServer.control.deliver(person.email, 'INBOX', message.raw, {
      internalDate: deliveredAt(message.expected),
    });
    delivered.push({ message, dingtalkId: `${uidValidity}:${uid}` });
  }
  const started = Date.now();
  firstPull = await w.pull(person, 'dingtalk');
  firstPullMs = Date.now() - started;
}, 60_000);

afterAll(async () => {
  await w?.stop();
});

async function outlookCopyOf(dingtalkId: string): Promise<RenderedMessage> {
  const link = await w.links.findBySideId(person, 'mail', 'dingtalk', dingtalkId);
  expect(link?.outlookId).toBeTruthy();
  const copy = (
    w.graph.fake.control.mailMessages(person.entraId, 'inbox') as unknown as RenderedMessage[]
  ).find((m) => m.id === link!.outlookId);
  expect(copy).toBeDefined();
  return copy!;
}

/** The body as a reader sees it: HTML reduced to its text. */
const bodyText = (m: RenderedMessage) =>
  m.body.contentType === 'html'
    ? m.body.content
        .replace(/<[^>]+>/g, '')
        .replace(/&nbsp;/g, ' ')
        .replace(/&amp;/g, '&')
    : m.body.content;

test('base64 as encoders write it is never taken for damage; a damaged body always is', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));
  const wrap = (b64: string, width: number, eol = '\r\n') =>
    b64.replace(new RegExp(`.{${width}}(?=.)`, 'g'), `$&${eol}`);
  const b64 = data.toString('base64');
  for (const width of [76, 72, 64, 60]) expect(base64Damage(Buffer.from(wrap(b64, width)))).toBeUndefined();
  expect(base64Damage(Buffer.from(`${wrap(b64, 76, '\n')}\n\n`))).toBeUndefined();
  expect(base64Damage(Buffer.from(wrap(b64.replace(/=+$/, ''), 76)))).toBeUndefined(); // padding left off
  expect(base64Damage(Buffer.from(wrap(b64, 76).replace(/\r\n/g, ' \r\n')))).toBeUndefined(); // trailing spaces

  const lines = wrap(b64, 76).split('\r\n');
  const cut = [...lines];
  cut[3] = cut[3].slice(0, 70);
  expect(base64Damage(Buffer.from(cut.join('\r\n')))).toMatch(/line 4 is cut short/);
  const junk = [...lines];
  junk[5] = '-- removed by the gateway --';
  expect(base64Damage(Buffer.from(junk.join('\r\n')))).toMatch(/line 6 holds "-"/);
  expect(base64Damage(Buffer.from('QUJDREVG\r\nR\r\n'))).toMatch(/middle of a byte/); // one character of a byte
});

test('the committed corpus is what test/fixtures/mime/generate.ts builds', () => {
  const built = corpus();
  expect(committed.map((c) => c.expected)).toEqual(built.map((c) => c.expected));
  for (const [i, c] of committed.entries()) expect(c.raw.equals(built[i].raw)).toBe(true);
});

test('one pull carries the whole mailbox: no message stalls the ones after it', async () => {
  expect(firstPull.outcome).toBe('synced');
  console.log(
    `MIME corpus: ${all.length} messages (${(all.reduce((n, m) => n + m.raw.length, 0) / 1024 / 1024).toFixed(1)} MB) ` +
      `DingTalk → Outlook in one pull, ${firstPullMs} ms; stats ${JSON.stringify(firstPull.stats)}`,
  );
  expect(w.graph.fake.control.mailMessages(person.entraId, 'inbox')).toHaveLength(all.length);
  expect(w.audit.of(person.pairId).filter((r) => /refused/.test(r.reason))).toEqual([]);
  // The next pull finds nothing new and copies nothing again.
  const again = await w.pull(person, 'dingtalk');
  expect(again.outcome).toBe('synced');
  expect(w.graph.fake.control.mailMessages(person.entraId, 'inbox')).toHaveLength(all.length);
});

describe.each(all.map((m) => [m.expected.file, m] as const))('DingTalk → Outlook: %s', (_file, message) => {
  const e = message.expected;

  test(`${e.outcome === 'faithful' ? 'carried faithfully' : 'carried with a note'}: ${e.shape}`, async () => {
    const { dingtalkId } = delivered.find((d) => d.message === message)!;
    const copy = await outlookCopyOf(dingtalkId);

    expect(copy.isDraft).toBe(false);
    expect(copy.subject).toBe(e.subject);
    expect(copy.from.emailAddress).toEqual({ name: e.from.name, address: e.from.address });
    expect(copy.sentDateTime).toBe(e.date);
    expect(copy.receivedDateTime).toBe(second(deliveredAt(e)));
    if (e.messageId) expect(copy.internetMessageId).toBe(e.messageId);
    else expect(copy.internetMessageId).toMatch(/^<[^<>\s]+@[^<>\s]+>$/); // Exchange gives it one
    const text = bodyText(copy);
    for (const fragment of e.bodyText) expect(text).toContain(fragment);

    const got = copy.attachments.map((a) => ({
      filename: a.name,
      contentType: a.contentType,
      size: Buffer.from(a.contentBytes, 'base64').length,
      sha256: sha256(Buffer.from(a.contentBytes, 'base64')),
      inline: a.isInline,
      ...(a.contentId ? { contentId: a.contentId } : {}),
    }));
    // mailparser names application/octet-stream by the file's extension, as Outlook itself shows such files.
    const want = e.attachments.map((a) =>
      a.contentType === 'application/octet-stream'
        ? { ...a, contentType: got.find((g) => g.filename === a.filename)?.contentType }
        : a,
    );
    const order = (x: { filename: string; sha256: string }) => `${x.filename}|${x.sha256}`;
    expect([...got].sort((a, b) => order(a).localeCompare(order(b)))).toEqual(
      [...want].sort((a, b) => order(a).localeCompare(order(b))),
    );
    for (const a of e.attachments.filter((x) => x.inline)) {
      expect(copy.body.content).toContain(`cid:${a.contentId}`);
    }

    const issues = w.audit.of(person.pairId).filter((r) => r.outlookId === copy.id && r.action === 'failure');
    if (e.outcome === 'faithful') {
      expect(issues).toEqual([]);
    } else {
      for (const left of e.leftOut ?? []) {
        // The copy says what is missing and why, in its body; the admin reads the same in the audit.
        expect(copy.body.content).toContain(`Attachment not imported: ${left.filename}`);
        expect(copy.body.content).toContain(left.reason);
        expect(issues).toHaveLength(1);
        expect(issues[0].reason).toContain(left.filename);
        expect(issues[0].reason).toContain(left.reason);
      }
    }

    // The copy's MIME ($value, as the Outlook → DingTalk direction reads it) says the same.
    const item = await w.outlook.get(person, copy.id);
    const reparsed = await parseMime(await item!.projection.content!.raw());
    expect(reparsed.subject).toBe(e.subject);
    expect(reparsed.from).toEqual(e.from);
  });
});

describe('Outlook → DingTalk: the IMAP copy is the original bytes plus the trace header', () => {
  let alice: UserRef;

  beforeAll(async () => {
    alice = w.addPerson('alice');
    for (const { expected, raw } of committed) {
      await w.graph.fake.control.deliverMail(alice.entraId, 'inbox', raw, {
        receivedAt: new Date(deliveredAt(expected)),
      });
    }
    const result = await w.pull(alice, 'outlook');
    expect(result.outcome).toBe('synced');
  }, 30_000);

  test.each(committed.map((m) => [m.expected.file, m] as const))('%s', async (_file, message) => {
    const inbox = w.imapServer.control.messages(alice.email, 'INBOX');
    const copies = inbox.filter((m) => {
      const at = m.raw.indexOf('\r\n');
      return m.raw.subarray(at + 2).equals(message.raw);
    });
    expect(copies).toHaveLength(1);
    const [copy] = copies;
    const head = copy.raw.subarray(0, copy.raw.indexOf('\r\n')).toString('latin1');
    expect(head).toMatch(new RegExp(`^${ORIGIN_HEADER}: \\S+$`));
    expect(second(copy.internalDate)).toBe(second(deliveredAt(message.expected)));
  });
});
