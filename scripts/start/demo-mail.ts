import MailComposer from 'nodemailer/lib/mail-composer';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { FakeMailServer } from '../../sandbox/mail';
import type { DemoPerson } from './demo-org';
import { say } from './say';
import { waitFor } from './wait';

interface MailDemoParts {
  graph: FakeGraph;
  mail: FakeMailServer;
  people: DemoPerson[];
  pollSeconds: number;
  signal: AbortSignal;
}

interface OutlookMessage {
  id: string;
  subject: string;
  isRead: boolean;
  isDraft: boolean;
  hasAttachments?: boolean;
}

/** A small but real PDF, so that a mail program shows the attachment as one. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

const compose = (options: Record<string, unknown>): Promise<Buffer> =>
  new MailComposer(options).compile().build();

/** Mail crossing both ways: a customs notice with a PDF into DingTalk, read in Outlook, a client's mail into Outlook. */
export async function runMailDemo({
  graph,
  mail,
  people,
  pollSeconds,
  signal,
}: MailDemoParts): Promise<void> {
  const [zhang, alice] = people;
  const stamp = new Date().toISOString().slice(11, 19);
  const subject = `报关单已放行 Customs release ${stamp}`;
  // The subject travels encoded (RFC 2047); the Message-ID is plain text in the raw message.
  const noticeId = `<release-${Date.now()}@customs.example.cn>`;
  mail.control.deliver(
    zhang.email,
    'INBOX',
    await compose({
      from: '深圳海关 <notice@customs.example.cn>',
      to: zhang.email,
      subject,
      messageId: noticeId,
      text: '您的报关单已放行，放行通知见附件。\nYour declaration has been released; the notice is attached.',
      attachments: [{ filename: '放行通知.pdf', content: PDF, contentType: 'application/pdf' }],
    }),
  );
  say(`a customs notice "${subject}" with a PDF arrives in ${zhang.name}'s DingTalk Mail`);
  say(`  (DingTalk Mail is read over IMAP and polled every ${pollSeconds} s)`);
  const inOutlook = await waitFor(
    'the DingTalk mail in Outlook',
    () =>
      (graph.control.mailMessages(zhang.entraId, 'inbox') as unknown as OutlookMessage[]).find(
        (m) => m.subject === subject,
      ),
    signal,
    (pollSeconds + 15) * 1000,
  );
  say(
    `✓ it is in ${zhang.name}'s Outlook inbox after ${inOutlook.ms} ms: received mail (draft: ${inOutlook.value.isDraft}), ` +
      `attachment: ${inOutlook.value.hasAttachments ? '放行通知.pdf' : 'missing!'}`,
  );

  graph.control.setMailRead(zhang.entraId, inOutlook.value.id, true);
  say(`${zhang.name} reads it in Outlook`);
  const read = await waitFor(
    'the read state in DingTalk',
    () =>
      mail.control
        .messages(zhang.email, 'INBOX')
        .find((m) => m.raw.includes(Buffer.from(noticeId)) && m.flags.includes('\\Seen')),
    signal,
  );
  say(`✓ DingTalk Mail shows it read after ${read.ms} ms`);

  const urgent = `Urgent: change to PO 4471 ${stamp}`;
  graph.control.deliverMail(
    alice.entraId,
    'inbox',
    await compose({
      from: 'Contoso Buyer <buyer@client.example.com>',
      to: alice.email,
      subject: urgent,
      html: '<p>Please ship <b>200</b> units, not 100.</p>',
    }),
  );
  say(`a client's mail "${urgent}" arrives in ${alice.name}'s Outlook`);
  const inDingTalk = await waitFor(
    'the Outlook mail in DingTalk',
    () => mail.control.messages(alice.email, 'INBOX').find((m) => m.raw.includes(Buffer.from(urgent))),
    signal,
  );
  say(`✓ it is in ${alice.name}'s DingTalk Mail inbox after ${inDingTalk.ms} ms, as its exact MIME`);
}
