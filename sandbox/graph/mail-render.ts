import type { MailFolder } from './mail-folders';
import type { MessageQuery } from './mail-odata';
import { canonicalPropertyId, type StoredMessage } from './mail-store';
import type { StoredAttachment } from './mail-types';
import { PR_CLIENT_SUBMIT_TIME, PR_MESSAGE_DELIVERY_TIME, PR_MESSAGE_FLAGS } from './mail-validation';

/**
 * Messages, folders and attachments as Graph v1.0 returns them. Without $select a message carries Graph's
 * default property set (internetMessageHeaders and uniqueBody only when selected, as on the real service).
 */

export interface MailRenderOptions {
  immutableIds: boolean;
  query: MessageQuery;
}

const DEFAULT_HIDDEN = new Set(['internetMessageHeaders', 'uniqueBody']);

export const messageId = (m: StoredMessage, immutableIds: boolean) =>
  immutableIds ? m.immutableId : m.restId;

export function renderMessage(m: StoredMessage, o: MailRenderOptions): Record<string, unknown> {
  const all: Record<string, unknown> = {
    id: messageId(m, o.immutableIds),
    createdDateTime: m.createdDateTime,
    lastModifiedDateTime: m.lastModifiedDateTime,
    changeKey: m.changeKey,
    categories: m.categories,
    receivedDateTime: m.receivedDateTime,
    sentDateTime: m.sentDateTime,
    hasAttachments: m.attachments.some((a) => !a.isInline),
    internetMessageId: m.internetMessageId,
    subject: m.subject,
    bodyPreview: preview(m.body),
    importance: m.importance,
    parentFolderId: m.folderId,
    conversationId: m.conversationId,
    conversationIndex: Buffer.from(m.conversationId.slice(0, 22)).toString('base64'),
    isDeliveryReceiptRequested: m.isDeliveryReceiptRequested,
    isReadReceiptRequested: m.isReadReceiptRequested,
    isRead: m.isRead,
    isDraft: m.isDraft,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(m.restId)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: m.inferenceClassification,
    body: m.body,
    uniqueBody: m.body,
    sender: m.sender,
    from: m.from,
    toRecipients: m.toRecipients,
    ccRecipients: m.ccRecipients,
    bccRecipients: m.bccRecipients,
    replyTo: m.replyTo,
    flag: m.flag,
    internetMessageHeaders: m.internetMessageHeaders,
  };
  const out: Record<string, unknown> = { '@odata.etag': `W/"${m.changeKey}"` };
  for (const [name, value] of Object.entries(all)) {
    const wanted = o.query.select ? o.query.select.has(name) || name === 'id' : !DEFAULT_HIDDEN.has(name);
    if (wanted) out[name] = value;
  }
  if (o.query.attachments) out.attachments = m.attachments.map(renderAttachment);
  if (o.query.extended) {
    const props = extendedProperties(m).filter(
      (p) => o.query.extended === 'all' || (o.query.extended as Set<string>).has(canonicalPropertyId(p.id)),
    );
    // Graph leaves the property out when none of the requested ones exist on the item.
    if (props.length) out.singleValueExtendedProperties = props;
  }
  return out;
}

/** Stored properties, with the MAPI ones Exchange computes (flags, delivery and submit time) as they are now. */
function extendedProperties(m: StoredMessage): { id: string; value: string }[] {
  const computed = new Map<string, { id: string; value: string }>([
    [PR_MESSAGE_FLAGS, { id: 'Integer 0xe07', value: String(messageFlags(m)) }],
    [PR_MESSAGE_DELIVERY_TIME, { id: 'SystemTime 0xe06', value: m.receivedDateTime }],
    [PR_CLIENT_SUBMIT_TIME, { id: 'SystemTime 0x39', value: m.sentDateTime }],
  ]);
  const out = [...m.extended.entries()].map(([key, p]) => computed.get(key) ?? p);
  for (const [key, p] of computed) if (!m.extended.has(key)) out.push(p);
  return out;
}

/** PidTagMessageFlags: MSGFLAG_READ 0x1, MSGFLAG_UNSENT 0x8, MSGFLAG_HASATTACH 0x10 ([MS-OXCMSG] 2.2.1.6). */
function messageFlags(m: StoredMessage): number {
  return (m.isRead ? 0x1 : 0) | (m.isDraft ? 0x8 : 0) | (m.attachments.some((a) => !a.isInline) ? 0x10 : 0);
}

export function renderAttachment(a: StoredAttachment): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    '@odata.mediaContentType': a.contentType,
    id: a.id,
    lastModifiedDateTime: a.lastModifiedDateTime,
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    isInline: a.isInline,
    contentId: a.contentId,
    contentLocation: null,
    contentBytes: a.contentBytes.toString('base64'),
  };
}

export function renderFolder(f: MailFolder, messages: StoredMessage[]): Record<string, unknown> {
  const inFolder = messages.filter((m) => m.folderId === f.id);
  return {
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
    childFolderCount: 0,
    unreadItemCount: inFolder.filter((m) => !m.isRead).length,
    totalItemCount: inFolder.length,
    isHidden: false,
  };
}

/** bodyPreview: the first 255 characters of the text (HTML stripped), as the property's description says. */
function preview(body: StoredMessage['body']): string {
  const text =
    body.contentType === 'html'
      ? body.content
          .replace(/<(style|script)[\s\S]*?<\/\1>/gi, '')
          .replace(/<[^>]+>/g, ' ')
          .replace(/&nbsp;/g, ' ')
      : body.content;
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}
