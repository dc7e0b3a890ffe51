import type {
  AttachmentInfo,
  DamagedPart,
  MailAddress,
  MailAttachment,
  ParsedMessage,
} from '../../mail/parse-mime';
import type { MailProjection } from '../../sync/mail-message';
import { importProperties } from './mail-stamps';
import type { GraphFileAttachmentWrite, GraphMessageWrite, GraphRecipient } from './mail-wire-types';

/**
 * The JSON create of a message copied into Outlook, built from its parsed MIME (docs/mail.md, "Outlook side
 * (Graph)"). Graph has no non-draft MIME import, so the copy is rebuilt from its parts: envelope and bodies as
 * message properties, dates, read state, threading headers and the original header block as MAPI properties,
 * attachments as fileAttachments in the same request while it stays within Graph's 4 MB request limit
 * ("The maximum request length supported is 4MB", microsoft-graph-docs#11806). Attachments that do not fit are
 * added after the create. An attachment whose bytes the parse did not hold (larger than what one request takes)
 * is always one of those.
 */

/** Graph's limit on a request body, in bytes of the serialised JSON. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** Room kept under the limit for the request line, headers and whatever the SDK adds. */
const REQUEST_MARGIN_BYTES = 16 * 1024;

export interface ImportPlan<A extends AttachmentInfo = AttachmentInfo> {
  body: GraphMessageWrite;
  /** Bytes of JSON.stringify(body), measured. */
  bytes: number;
  /** Attachments left out of the create, to add afterwards (smallest first). */
  deferred: A[];
}

export interface ImportInput<A extends AttachmentInfo = AttachmentInfo> {
  parsed: ParsedMessage<A>;
  projection: MailProjection;
  originKey: string;
  /** Lines added at the end of the body, e.g. attachments that could not be imported. */
  notes?: string[];
  /** No attachment goes into the create (used when a create with attachments was refused as too large). */
  deferAll?: boolean;
  maxRequestBytes?: number;
}

export function planImport<A extends AttachmentInfo>(input: ImportInput<A>): ImportPlan<A> {
  const { parsed } = input;
  const limit = (input.maxRequestBytes ?? MAX_REQUEST_BYTES) - REQUEST_MARGIN_BYTES;
  const base = baseWrite(input);
  const baseBytes = jsonBytes(base);
  const embedded: GraphFileAttachmentWrite[] = [];
  const deferred: A[] = [];
  // Inline images first (the body shows them), then the smallest, so that as many as possible travel in one request.
  const order = parsed.attachments
    .map((a, index) => ({ a, index }))
    .sort((x, y) => Number(y.a.inline) - Number(x.a.inline) || x.a.size - y.a.size);
  let total = baseBytes + '"attachments":[],'.length;
  for (const { a, index } of order) {
    if (input.deferAll || !a.content) {
      deferred.push(a);
      continue;
    }
    // base64 needs no JSON escaping, so an attachment's cost is its JSON without content plus 4/3 of its bytes.
    const shell = toFileAttachment(a, index, '');
    const cost = jsonBytes(shell) + base64Length(a.content.length) + 1;
    if (total + cost <= limit) {
      embedded.push(toFileAttachment(a, index, a.content.toString('base64')));
      total += cost;
    } else {
      deferred.push(a);
    }
  }
  const body: GraphMessageWrite = embedded.length ? { ...base, attachments: embedded } : base;
  const bytes = embedded.length ? jsonBytes(body) : baseBytes;
  deferred.sort((x, y) => x.size - y.size);
  if (bytes > limit && embedded.length) {
    // The estimate was off (it never should be): fall back to sending every attachment afterwards.
    return planImport({ ...input, deferAll: true });
  }
  return { body, bytes, deferred };
}

/**
 * The attachment's name in Outlook: its file name, else its Content-ID, else a stand-in. A calendar part without a
 * name (the text/calendar alternative of an invitation) is called invite.ics, as mail clients show it, so that the
 * file opens in a calendar; anything else is numbered.
 */
export function attachmentName(
  a: Pick<MailAttachment, 'filename' | 'contentId' | 'contentType'>,
  index: number,
): string {
  const named = a.filename?.trim() || a.contentId;
  if (named) return named;
  return /^text\/calendar$/i.test(a.contentType) ? 'invite.ics' : `attachment-${index + 1}`;
}

/** The name a damaged part is reported under: its file name, its Content-ID, or what it was. */
export function damagedPartName(d: DamagedPart): string {
  return d.filename?.trim() || d.contentId || `${d.contentType} part of the message text`;
}

/** Damaged parts are left out of the copy (parse-mime.ts); its body names each one and says why. */
function damageNotes(parsed: ParsedMessage<AttachmentInfo>): string[] {
  return (parsed.damaged ?? []).map((d) =>
    d.filename || d.contentId
      ? missingAttachmentNote(damagedPartName(d), d.size, d.reason)
      : `正文部分损坏 / Part of the message text arrived damaged (${d.contentType}): ${d.reason}; shown as received`,
  );
}

export function toFileAttachment(
  a: Omit<MailAttachment, 'content'>,
  index: number,
  contentBytes: string,
): GraphFileAttachmentWrite {
  const out: GraphFileAttachmentWrite = {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: attachmentName(a, index),
    contentType: a.contentType || 'application/octet-stream',
    contentBytes,
    isInline: a.inline,
  };
  if (a.contentId) out.contentId = a.contentId;
  return out;
}

function baseWrite(input: ImportInput): GraphMessageWrite {
  const { parsed, projection, originKey } = input;
  const sentAt = projection.envelope.sentAt ?? parsed.date?.toISOString();
  const write: GraphMessageWrite = {
    subject: parsed.subject || projection.envelope.subject,
    body: withNotes(bodyOf(parsed), [...damageNotes(parsed), ...(input.notes ?? [])]),
    toRecipients: parsed.to.map(recipient),
    ccRecipients: parsed.cc.map(recipient),
    replyTo: parsed.replyTo.map(recipient),
    isRead: projection.seen,
    flag: { flagStatus: projection.flagged ? 'flagged' : 'notFlagged' },
    singleValueExtendedProperties: importProperties({
      originKey,
      seen: projection.seen,
      receivedAt: projection.envelope.receivedAt,
      sentAt,
      inReplyTo: parsed.inReplyTo,
      references: parsed.references,
      headerBlock: parsed.headerBlock,
    }),
  };
  if (parsed.from) write.from = recipient(parsed.from);
  const sender = parsed.sender ?? parsed.from;
  if (sender) write.sender = recipient(sender);
  // Graph refuses a create whose internetMessageId is not "<...@...>"-shaped; such a message keeps none.
  const messageId = parsed.messageId ?? projection.envelope.messageId;
  if (messageId && /^<[^<>\s]+>$/.test(messageId)) write.internetMessageId = messageId;
  return write;
}

function bodyOf(parsed: ParsedMessage<AttachmentInfo>): GraphMessageWrite['body'] {
  if (parsed.html) return { contentType: 'html', content: parsed.html };
  return { contentType: 'text', content: parsed.text ?? '' };
}

/** Notes go at the end of the body, in the body's own format, so the reader sees what is missing and why. */
export function withNotes(body: GraphMessageWrite['body'], notes: string[]): GraphMessageWrite['body'] {
  if (!notes.length) return body;
  if (body.contentType === 'text') {
    return { ...body, content: `${body.content}\n\n---\n${notes.join('\n')}\n` };
  }
  const items = notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  const block = `<hr><div class="sync-import-note"><ul>${items}</ul></div>`;
  const at = body.content.search(/<\/body\s*>/i);
  const content = at < 0 ? body.content + block : body.content.slice(0, at) + block + body.content.slice(at);
  return { ...body, content };
}

/** The line a note gives a file left out: bilingual, since readers are mostly Chinese-speaking. */
export function missingAttachmentNote(name: string, size: number, reason: string): string {
  return `附件未导入 / Attachment not imported: ${name} (${formatSize(size)}): ${reason}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const recipient = (a: MailAddress): GraphRecipient => ({
  emailAddress: a.name ? { address: a.address, name: a.name } : { address: a.address },
});

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

const base64Length = (n: number) => Math.ceil(n / 3) * 4;

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
