import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { FOLDERS } from '../../shared/app/folders';
import { utcDay } from '../../shared/store/day';
import type { WorkItem } from '../../shared/store/types';
import type { UserRef } from '../../shared/sync/types';
import { startPipeline, type Person, type Pipeline } from './support/pipeline';

/**
 * Mail end to end: the sandbox DingTalk Mail server (IMAP over TLS) and the sandbox Graph, the real function app on
 * the local host, app passwords in the sandbox Key Vault. DingTalk mailboxes are polled; a poll is started here by
 * a work message rather than by waiting for the mailbox's slot.
 */
let p: Pipeline;

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(20_000, 7), Buffer.from('\n%%EOF\n')]);

async function mime(options: Record<string, unknown>): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

const userOf = (person: Person): UserRef => ({
  pairId: person.entraId,
  dingtalkUserId: '',
  dingtalkUnionId: person.unionId,
  entraId: person.entraId,
  email: person.email,
});

async function pollDingTalkMailbox(person: Person, kind: 'mail' | 'sentmail' = 'mail'): Promise<void> {
  const work: WorkItem = {
    pairId: person.entraId,
    kind,
    side: 'dingtalk',
    folder: FOLDERS[kind].dingtalk,
    reason: 'sweep',
  };
  await p.app.stores.workQueue.enqueue(work);
  await p.quiet();
}

const outlookInbox = (person: Person) =>
  p.graph.control.mailMessages(person.entraId, 'inbox') as Array<{
    id: string;
    subject: string;
    isRead: boolean;
    isDraft: boolean;
    flag: { flagStatus: string };
  }>;
const dingtalkInbox = (person: Person) => p.mail!.server.control.messages(person.email, 'INBOX');

beforeAll(async () => {
  p = await startPipeline({ mail: true, env: { MAIL_SENT: 'true' } });
  await p.onboard();
}, 60_000);

afterAll(async () => {
  await p?.stop();
});

test('pairing subscribes to each Outlook inbox and starts a poll chain for each DingTalk mailbox', async () => {
  const resources = p.graph.control.subscriptions().map((s) => String(s.resource));
  for (const person of p.people) {
    expect(resources).toContain(`users/${person.entraId}/mailFolders('Inbox')/messages`);
    expect(resources).toContain(`users/${person.entraId}/mailFolders('SentItems')/messages`);
    const { state } = await p.app.stores.pairState.load(person.entraId, 'mail');
    expect(state.sides.dingtalk.polledAt).toBeDefined();
    expect(state.sides.dingtalk.cursor).toBeTruthy();
    expect(state.sides.outlook.cursor).toBeTruthy();
  }
});

test('a DingTalk mail with a Chinese subject and a PDF appears once in Outlook, as received mail', async () => {
  const [zhang] = p.people;
  const raw = await mime({
    from: '海关通知 <notice@customs.example.cn>',
    to: zhang.email,
    subject: '报关单已放行 – 请查收附件',
    messageId: '<customs-0001@customs.example.cn>',
    date: new Date(Date.now() - 60_000),
    text: '您的报关单已放行。',
    attachments: [{ filename: '放行通知.pdf', content: PDF, contentType: 'application/pdf' }],
  });
  p.mail!.server.control.deliver(zhang.email, 'INBOX', raw);
  await pollDingTalkMailbox(zhang);

  const copies = outlookInbox(zhang).filter((m) => m.subject === '报关单已放行 – 请查收附件');
  expect(copies).toHaveLength(1);
  expect(copies[0]).toMatchObject({ isDraft: false, isRead: false });
  const copy = await p.services.graph.mail.get(userOf(zhang), copies[0].id);
  const parsed = await simpleParser(await copy!.projection.content!.raw());
  expect(parsed.attachments.map((a) => a.filename)).toEqual(['放行通知.pdf']);
  expect(parsed.attachments[0].content.equals(PDF)).toBe(true);

  // Polling again copies nothing more, and the copy never comes back to DingTalk.
  await pollDingTalkMailbox(zhang);
  expect(outlookInbox(zhang).filter((m) => m.subject === '报关单已放行 – 请查收附件')).toHaveLength(1);
  expect(dingtalkInbox(zhang)).toHaveLength(1);
});

test('read in Outlook becomes \\Seen in DingTalk; flagged in DingTalk becomes flagged in Outlook', async () => {
  const [zhang] = p.people;
  const [copy] = outlookInbox(zhang).filter((m) => m.subject === '报关单已放行 – 请查收附件');
  p.graph.control.setMailRead(zhang.entraId, copy.id, true);
  await p.quiet();
  expect(dingtalkInbox(zhang)[0].flags).toContain('\\Seen');

  const { uid } = dingtalkInbox(zhang)[0];
  p.mail!.server.control.setFlags(zhang.email, 'INBOX', uid, ['\\Seen', '\\Flagged']);
  await pollDingTalkMailbox(zhang);
  const after = outlookInbox(zhang).find((m) => m.id === copy.id)!;
  expect(after).toMatchObject({ isRead: true, flag: { flagStatus: 'flagged' } });
  expect(dingtalkInbox(zhang)[0].flags.sort()).toEqual(['\\Flagged', '\\Seen']);
});

test('a mail arriving in Outlook is appended to the DingTalk inbox as its exact MIME, once', async () => {
  const [, alice] = p.people;
  const raw = await mime({
    from: 'Client <buyer@client.example.com>',
    to: alice.email,
    subject: 'Urgent change to PO 4471',
    messageId: '<po-4471@client.example.com>',
    date: new Date(Date.now() - 30_000),
    html: '<p>Please ship <b>200</b> units, not 100.</p>',
  });
  p.graph.control.deliverMail(alice.entraId, 'inbox', raw);
  await p.quiet();

  const inbox = dingtalkInbox(alice);
  expect(inbox).toHaveLength(1);
  const appended = inbox[0].raw.toString('utf8');
  // The copy is the Outlook message's own MIME, with one trace header on top that finds a retried APPEND.
  expect(appended).toMatch(/^X-DingTalk-M365-Sync-Origin: /);
  expect(appended).toContain('Subject: Urgent change to PO 4471');
  expect(appended).toContain('Message-ID: <po-4471@client.example.com>');

  // The appended message, polled back, is recognised as ours: nothing new appears in Outlook.
  await pollDingTalkMailbox(alice);
  expect(outlookInbox(alice).filter((m) => m.subject === 'Urgent change to PO 4471')).toHaveLength(1);
  expect(dingtalkInbox(alice)).toHaveLength(1);
});

test('a read in Outlook and a flag in DingTalk made between two syncs both survive', async () => {
  const [, , bob] = p.people;
  const raw = await mime({
    from: 'ops@example.com',
    to: bob.email,
    subject: 'Shift plan',
    messageId: '<shift@example.com>',
    text: 'see attached',
  });
  p.mail!.server.control.deliver(bob.email, 'INBOX', raw);
  await pollDingTalkMailbox(bob);
  const [copy] = outlookInbox(bob);
  const { uid } = dingtalkInbox(bob)[0];

  // Outlook's notification is held back until both edits are made.
  p.graph.control.setMailRead(bob.entraId, copy.id, true);
  p.mail!.server.control.setFlags(bob.email, 'INBOX', uid, ['\\Flagged']);
  await pollDingTalkMailbox(bob);
  await p.quiet();
  expect(outlookInbox(bob)[0]).toMatchObject({ isRead: true, flag: { flagStatus: 'flagged' } });
  expect(dingtalkInbox(bob)[0].flags.sort()).toEqual(['\\Flagged', '\\Seen']);
});

test('deleting a synced mail in Outlook keeps the DingTalk copy (MAIL_DELETES=keep) and says so in the audit', async () => {
  const [, alice] = p.people;
  const [copy] = outlookInbox(alice).filter((m) => m.subject === 'Urgent change to PO 4471');
  p.graph.control.deleteMail(alice.entraId, copy.id);
  await p.quiet();
  expect(dingtalkInbox(alice)).toHaveLength(1);
  const rows = await p.app.stores.audit.listDay(utcDay(Date.now()));
  expect(
    rows.some(
      (r) => r.kind === 'mail' && r.action === 'skip' && /delete policy ignore keeps it/.test(r.reason),
    ),
  ).toBe(true);
});

test("with MAIL_SENT, a reply sent from either tool lands in the other tool's Sent folder, once", async () => {
  const [zhang] = p.people;
  const fromOutlook = await mime({
    from: zhang.email,
    to: 'notice@customs.example.cn',
    subject: 'Re: 报关单已放行',
    messageId: '<reply-1@contoso.com>',
    inReplyTo: '<customs-0001@customs.example.cn>',
    text: '收到，谢谢。',
  });
  p.graph.control.deliverMail(zhang.entraId, 'sentitems', fromOutlook, { isRead: true });
  await p.quiet();
  const sentFolder = p.mail!.server.control.folders(zhang.email).find((f) => f.specialUse === '\\Sent')!;
  const sent = p.mail!.server.control.messages(zhang.email, sentFolder.name);
  expect(sent).toHaveLength(1);
  expect(sent[0].raw.toString('utf8')).toContain('In-Reply-To: <customs-0001@customs.example.cn>');
  expect(sent[0].flags).toContain('\\Seen');

  const fromDingTalk = await mime({
    from: zhang.email,
    to: 'buyer@client.example.com',
    subject: 'Re: PO 4471 confirmed',
    messageId: '<reply-2@contoso.com>',
    text: 'Confirmed: 200 units.',
  });
  p.mail!.server.control.deliver(zhang.email, sentFolder.name, fromDingTalk, { flags: ['\\Seen'] });
  await pollDingTalkMailbox(zhang, 'sentmail');
  const outlookSent = p.graph.control.mailMessages(zhang.entraId, 'sentitems') as Array<{
    subject: string;
    isDraft: boolean;
  }>;
  expect(outlookSent.map((m) => m.subject).sort()).toEqual(['Re: PO 4471 confirmed', 'Re: 报关单已放行']);
  expect(outlookSent.every((m) => !m.isDraft)).toBe(true);
  // Nothing from Sent leaked into either inbox.
  expect(outlookInbox(zhang).map((m) => m.subject)).not.toContain('Re: PO 4471 confirmed');
  expect(dingtalkInbox(zhang)).toHaveLength(1);
  await pollDingTalkMailbox(zhang, 'sentmail');
  expect(p.mail!.server.control.messages(zhang.email, sentFolder.name)).toHaveLength(2);
});
