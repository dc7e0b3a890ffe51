import { simpleParser, type AddressObject } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { StoredMessage } from './mail-store';
import type { MessageWrite, Recipient, StoredAttachment } from './mail-types';
import { newAttachmentId } from './mail-validation';

/**
 * MIME in and out. GET …/messages/{id}/$value returns a message's MIME ("Get MIME content of a message"):
 * the delivered bytes for mail that arrived as MIME, and for mail created from JSON a message composed here
 * (Exchange composes its own; the fake only promises valid MIME with the same headers, body and attachments).
 */

const toAddress = (r: Recipient) => ({ name: r.emailAddress.name, address: r.emailAddress.address });

export async function composeMime(m: StoredMessage): Promise<Buffer> {
  if (m.mime) return m.mime;
  if (m.composed?.changeKey === m.changeKey) return m.composed.bytes;
  const headers: Record<string, string> = {};
  for (const h of m.internetMessageHeaders) headers[h.name] = h.value;
  const composer = new MailComposer({
    from: m.from ? toAddress(m.from) : undefined,
    sender:
      m.sender && m.sender.emailAddress.address !== m.from?.emailAddress.address
        ? toAddress(m.sender)
        : undefined,
    to: m.toRecipients.map(toAddress),
    cc: m.ccRecipients.map(toAddress),
    replyTo: m.replyTo.map(toAddress),
    subject: m.subject,
    messageId: m.internetMessageId,
    date: new Date(m.sentDateTime),
    headers,
    ...(m.body.contentType === 'html' ? { html: m.body.content } : { text: m.body.content }),
    attachments: m.attachments.map((a) => ({
      filename: a.name,
      content: a.contentBytes,
      contentType: a.contentType,
      ...(a.contentId ? { cid: a.contentId } : {}),
      contentDisposition: a.isInline ? ('inline' as const) : ('attachment' as const),
    })),
  });
  const bytes = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  m.composed = { changeKey: m.changeKey, bytes };
  return bytes;
}

/** A delivered message: what Exchange shows for it once received (not a draft; the Date is the sent time). */
export async function parseMime(raw: Buffer, nowIso: string): Promise<MessageWrite> {
  const mail = await simpleParser(raw, { keepCidLinks: true });
  const list = (a: AddressObject | AddressObject[] | undefined): Recipient[] =>
    (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) =>
      o.value
        .filter((v) => v.address)
        .map((v) => ({ emailAddress: { name: v.name || v.address!, address: v.address! } })),
    );
  const from = list(mail.from)[0] ?? null;
  const senderHeader = mail.headers.get('sender') as AddressObject | undefined;
  const html = typeof mail.html === 'string' ? mail.html : undefined;
  const attachments: StoredAttachment[] = mail.attachments.map((a) => ({
    id: newAttachmentId(),
    name: a.filename ?? 'attachment',
    contentType: a.contentType,
    size: a.size,
    isInline: a.contentDisposition === 'inline' || a.related === true,
    contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
    contentBytes: a.content,
    lastModifiedDateTime: nowIso,
  }));
  const importance = String(mail.headers.get('importance') ?? 'normal').toLowerCase();
  return {
    subject: mail.subject ?? '',
    body:
      html !== undefined
        ? { contentType: 'html', content: html }
        : { contentType: 'text', content: mail.text ?? '' },
    from,
    sender: list(senderHeader)[0] ?? from,
    toRecipients: list(mail.to),
    ccRecipients: list(mail.cc),
    bccRecipients: list(mail.bcc),
    replyTo: list(mail.replyTo),
    internetMessageId: mail.messageId ?? '',
    importance: ['low', 'normal', 'high'].includes(importance) ? importance : 'normal',
    internetMessageHeaders: mail.headerLines.map((h) => ({
      name: h.line.slice(0, h.line.indexOf(':')),
      value: h.line.slice(h.line.indexOf(':') + 1).trim(),
    })),
    attachments,
    isDraft: false,
    sentDateTime: mail.date ? mail.date.toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined,
  };
}
