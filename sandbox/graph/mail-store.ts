import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';
import { newChangeKey, newItemId } from './ids';
import { newFolders, type MailFolder } from './mail-folders';
import type { MessageWrite, Recipient, StoredAttachment } from './mail-types';

/**
 * The messages of each mailbox, with Exchange's rules as far as the fake models them: every write gives a new
 * changeKey; a move gives the message a new regular (REST) id while its immutable id stays (Microsoft Graph,
 * "Obtain immutable identifiers for Outlook resources"); a delete leaves a tombstone. Every change gets a
 * sequence number per mailbox, which is what delta tokens remember, per folder.
 */

export interface StoredMessage {
  immutableId: string;
  restId: string;
  mailbox: string;
  folderId: string;
  subject: string;
  body: { contentType: 'text' | 'html'; content: string };
  from: Recipient | null;
  sender: Recipient | null;
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
  internetMessageId: string;
  conversationId: string;
  isRead: boolean;
  isDraft: boolean;
  flag: Record<string, unknown> & { flagStatus: string };
  importance: string;
  categories: string[];
  inferenceClassification: string;
  isDeliveryReceiptRequested: boolean;
  isReadReceiptRequested: boolean;
  internetMessageHeaders: { name: string; value: string }[];
  /** Keyed by the canonical property id (see canonicalPropertyId). */
  extended: Map<string, { id: string; value: string }>;
  attachments: StoredAttachment[];
  receivedDateTime: string;
  sentDateTime: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  /** Last change; and when the message entered its current folder (delta's created vs updated). */
  seq: number;
  arrivedSeq: number;
  /** The exact bytes of a message delivered as MIME. */
  mime?: Buffer;
  /** MIME composed for a JSON-created message, kept while the changeKey stays. */
  composed?: { changeKey: string; bytes: Buffer };
}

export interface MailTombstone {
  immutableId: string;
  restId: string;
  folderId: string;
  seq: number;
}

export interface MailMailbox {
  userId: string;
  folders: MailFolder[];
  messages: Map<string, StoredMessage>;
  /** Regular ids, current and retired by moves, to the immutable id. */
  restIds: Map<string, string>;
  tombstones: MailTombstone[];
  seq: number;
  generation: number;
}

export type MailChangeType = 'created' | 'updated' | 'deleted';

/** What a change notification needs, captured at the time of the change. */
export interface MailChange {
  mailbox: string;
  changeType: MailChangeType;
  folderId: string;
  immutableId: string;
  restId: string;
  changeKey: string;
}

export type MailChangeListener = (change: MailChange) => void;

export class MailStore {
  private readonly mailboxes = new Map<string, MailMailbox>();
  private readonly listeners: MailChangeListener[] = [];

  constructor(private readonly clock: Clock) {}

  onChange(listener: MailChangeListener): void {
    this.listeners.push(listener);
  }

  mailbox(userId: string): MailMailbox {
    let m = this.mailboxes.get(userId);
    if (!m) {
      m = {
        userId,
        folders: newFolders(),
        messages: new Map(),
        restIds: new Map(),
        tombstones: [],
        seq: 0,
        generation: 1,
      };
      this.mailboxes.set(userId, m);
    }
    return m;
  }

  /** A folder by id or well-known name (case-insensitive, as Graph accepts "Inbox" and "inbox"). */
  folder(userId: string, idOrName: string): MailFolder | undefined {
    const key = idOrName.toLowerCase();
    return this.mailbox(userId).folders.find((f) => f.id === idOrName || f.wellKnownName === key);
  }

  create(userId: string, folderId: string, write: MessageWrite, mime?: Buffer): StoredMessage {
    const box = this.mailbox(userId);
    const now = this.iso();
    const message: StoredMessage = {
      immutableId: newItemId(),
      restId: newRestId(),
      mailbox: userId,
      folderId,
      subject: '',
      body: { contentType: 'text', content: '' },
      from: null,
      sender: null,
      toRecipients: [],
      ccRecipients: [],
      bccRecipients: [],
      replyTo: [],
      internetMessageId: '',
      conversationId: 'AAQkAD' + randomBytes(30).toString('base64url'),
      isRead: true,
      isDraft: true,
      flag: { flagStatus: 'notFlagged' },
      importance: 'normal',
      categories: [],
      inferenceClassification: 'focused',
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      internetMessageHeaders: [],
      extended: new Map(),
      attachments: [],
      receivedDateTime: now,
      sentDateTime: now,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: '',
      seq: 0,
      arrivedSeq: 0,
      mime,
    };
    this.apply(message, write);
    if (write.isDraft !== undefined) message.isDraft = write.isDraft;
    if (write.isRead !== undefined) message.isRead = write.isRead;
    if (write.receivedDateTime) message.receivedDateTime = write.receivedDateTime;
    if (write.sentDateTime) message.sentDateTime = write.sentDateTime;
    if (!message.internetMessageId)
      message.internetMessageId = `<${randomBytes(12).toString('hex')}@sandbox.outlook.example>`;
    this.touch(box, message);
    message.arrivedSeq = message.seq;
    box.messages.set(message.immutableId, message);
    box.restIds.set(message.restId, message.immutableId);
    this.emit(message, 'created');
    return message;
  }

  /** By immutable id or current regular id; a regular id retired by a move no longer finds the message. */
  find(userId: string, id: string): StoredMessage | undefined {
    const box = this.mailbox(userId);
    const direct = box.messages.get(id);
    if (direct) return direct;
    const viaRest = box.messages.get(box.restIds.get(id) ?? '');
    return viaRest && viaRest.restId === id ? viaRest : undefined;
  }

  list(userId: string, folderId?: string): StoredMessage[] {
    return [...this.mailbox(userId).messages.values()].filter((m) => !folderId || m.folderId === folderId);
  }

  update(userId: string, id: string, write: MessageWrite): StoredMessage | undefined {
    const message = this.find(userId, id);
    if (!message) return undefined;
    this.apply(message, write);
    if (write.isRead !== undefined) message.isRead = write.isRead;
    this.touch(this.mailbox(userId), message);
    this.emit(message, 'updated');
    return message;
  }

  addAttachment(userId: string, id: string, attachment: StoredAttachment): StoredMessage | undefined {
    const message = this.find(userId, id);
    if (!message) return undefined;
    message.attachments.push(attachment);
    this.touch(this.mailbox(userId), message);
    this.emit(message, 'updated');
    return message;
  }

  /** Exchange copies the item into the destination: a new regular id and changeKey; the immutable id stays. */
  move(userId: string, id: string, destinationFolderId: string): StoredMessage | undefined {
    const box = this.mailbox(userId);
    const message = this.find(userId, id);
    if (!message) return undefined;
    if (message.folderId === destinationFolderId) return message;
    this.bury(box, message);
    message.folderId = destinationFolderId;
    message.restId = newRestId();
    box.restIds.set(message.restId, message.immutableId);
    this.touch(box, message);
    message.arrivedSeq = message.seq;
    this.emit(message, 'created');
    return message;
  }

  delete(userId: string, id: string): boolean {
    const box = this.mailbox(userId);
    const message = this.find(userId, id);
    if (!message) return false;
    box.messages.delete(message.immutableId);
    this.bury(box, message);
    return true;
  }

  /** The message leaves its folder (deleted or moved out): a tombstone for delta, a deleted notification. */
  private bury(box: MailMailbox, message: StoredMessage): void {
    box.seq++;
    box.tombstones.push({
      immutableId: message.immutableId,
      restId: message.restId,
      folderId: message.folderId,
      seq: box.seq,
    });
    this.emit(message, 'deleted');
  }

  private apply(message: StoredMessage, write: MessageWrite): void {
    // isDraft, isRead and the dates are decided by create/update; the rest are message fields by name.
    const {
      singleValueExtendedProperties,
      attachments,
      isDraft: _isDraft,
      isRead: _isRead,
      receivedDateTime: _received,
      sentDateTime: _sent,
      ...fields
    } = write;
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) (message as unknown as Record<string, unknown>)[name] = value;
    }
    for (const p of singleValueExtendedProperties ?? [])
      message.extended.set(canonicalPropertyId(p.id), { id: p.id.trim(), value: p.value });
    if (attachments) message.attachments.push(...attachments);
  }

  private touch(box: MailMailbox, message: StoredMessage): void {
    box.seq++;
    message.seq = box.seq;
    message.changeKey = newChangeKey();
    message.lastModifiedDateTime = this.iso();
  }

  private emit(message: StoredMessage, changeType: MailChangeType): void {
    const change: MailChange = {
      mailbox: message.mailbox,
      changeType,
      folderId: message.folderId,
      immutableId: message.immutableId,
      restId: message.restId,
      changeKey: message.changeKey,
    };
    for (const l of this.listeners) l(change);
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

/** Regular message ids look like Outlook's ("AAMkAD…") and differ from the immutable spelling. */
const newRestId = () =>
  'AAMkADg3NzRmYjk0LTBlMzEtNDM4YS05ZjlkLTg5ZTNmMDU5Nzc2YwBGAAAAAA' + randomBytes(36).toString('base64url');

/**
 * One spelling per extended property: "Integer 0x0E07", "integer 0xe07" and "Integer 0x00000E07" are the same
 * MAPI property; named properties compare without regard to case except the name, which Graph documents as
 * case-sensitive ("Outlook extended properties overview").
 */
export function canonicalPropertyId(id: string): string {
  const trimmed = id.trim().replace(/\s+/g, ' ');
  const tag = /^(\w+) 0x([0-9a-f]+)$/i.exec(trimmed);
  if (tag) return `${tag[1].toLowerCase()} 0x${parseInt(tag[2], 16).toString(16)}`;
  const named = /^(\w+) (\{[0-9a-f-]+\}) (name|id) (.+)$/i.exec(trimmed);
  if (named)
    return `${named[1].toLowerCase()} ${named[2].toLowerCase()} ${named[3].toLowerCase()} ${named[3].toLowerCase() === 'id' ? named[4].toLowerCase() : named[4]}`;
  return trimmed.toLowerCase();
}
