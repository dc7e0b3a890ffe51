import { systemClock, type Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { collect, openContent, readWhole } from '../../mail/mail-bytes';
import type { AttachmentSource, ParsedMessage } from '../../mail/parse-mime';
import {
  mailMatchKeys,
  type MailContent,
  type MailEnvelope,
  type MailProjection,
  type MailStream,
} from '../../sync/mail-message';
import {
  NotFoundRemoteError,
  PermanentRemoteError,
  TransientRemoteError,
  VersionConflictRemoteError,
  type ChangePage,
  type RemoteChange,
  type RemoteItem,
  type SideAdapter,
  type UserRef,
} from '../../sync/types';
import { changeKeyOfEtag, ifMatchFor } from './event-etag';
import type { GraphApi } from './http-client';
import { decodeMailCursor, encodeMailCursor, type MailCursorState } from './mail-cursor';
import {
  attachmentName,
  damagedPartName,
  MAX_REQUEST_BYTES,
  missingAttachmentNote,
  planImport,
  toFileAttachment,
  type ImportPlan,
} from './mail-import';
import { MAIL_STAMPS_EXPAND, readMailStamps } from './mail-stamps';
import type { MailTransfer } from './mail-transfer';
import type { GraphMessage, GraphMessageWrite, GraphUploadSession } from './mail-wire-types';
import { originKeyFilter } from './outlook-event-stamps';
import type { GraphCollection } from './wire-types';

/**
 * One Outlook mail folder (the inbox) as a SideAdapter (side "outlook", kind "mail"); docs/mail.md, "Outlook side
 * (Graph)".
 *
 * Changes come from the folder's message delta. The first round lists the messages received in the last
 * `lookBackDays` days ($filter=receivedDateTime ge …, the only filter delta on messages takes); Graph keeps that
 * window in its tokens, and later rounds report every change since, including read-state and flag changes
 * (Microsoft Graph, "Get incremental changes to messages in a folder"). Message delta accepts $expand, so our stamp
 * and the size come with each row through `$expand=singleValueExtendedProperties($filter=…)`; a row that lacks the
 * fields the projection needs is read once by id.
 *
 * A copy into Outlook is a JSON create built from the source's MIME (mail-import.ts); what Exchange made of it is
 * checked and every difference, and every attachment that could not be added, is reported through
 * `onImportIssue` (and the log), never dropped silently.
 */

export interface MailImportIssue {
  kind: 'attachment-not-imported' | 'not-as-asked';
  /** attachment-not-imported: the file's name and decoded size. */
  attachment?: { name: string; size: number };
  /** not-as-asked: the message property that differs. */
  field?: 'isDraft' | 'isRead' | 'receivedDateTime' | 'flag';
  asked?: string;
  got?: string;
  reason: string;
}

export interface MailImportReport {
  pairId: string;
  /** The Outlook id of the copy. */
  id: string;
  originKey: string;
  internetMessageId?: string;
  subject: string;
  issues: MailImportIssue[];
}

export type MailImportIssueListener = (user: UserRef, report: MailImportReport) => void;

export interface OutlookMailAdapterOptions {
  api: GraphApi;
  transfer: MailTransfer;
  clock?: Clock;
  /** The first listing covers the messages received in this many days before it (default 30). */
  lookBackDays?: number;
  /** Rows per delta page (Prefer: odata.maxpagesize). */
  pageSize?: number;
  /** Folder that copies are created in (well-known name or id; default "inbox"). */
  createFolder?: string;
  /** The kind this folder syncs (default "mail"; "sentmail" for Sent Items). */
  kind?: 'mail' | 'sentmail';
  /** Tells the worker what an import could not do as asked; may also be set later (`adapter.onImportIssue = …`). */
  onImportIssue?: MailImportIssueListener;
  /** Graph's request limit, for tests; default 4 MB. */
  maxRequestBytes?: number;
  logger?: Logger;
}

export const OUTLOOK_MAIL_FOLDER = 'inbox';

/** Exactly what the projection, the version and the draft rule need. */
const MESSAGE_SELECT = [
  'id',
  'changeKey',
  'lastModifiedDateTime',
  'receivedDateTime',
  'sentDateTime',
  'internetMessageId',
  'subject',
  'from',
  'isRead',
  'isDraft',
  'flag',
].join(',');

const READ_QUERY = `$select=${MESSAGE_SELECT}&$expand=${encodeURIComponent(MAIL_STAMPS_EXPAND)}`;

/** Graph's upload sessions take files from 3 MB up to 150 MB ("Attach large files to Outlook messages"). */
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;
/** Below 3 MB an attachment is one POST …/attachments, from 3 MB an upload session (the same page's rule). */
const UPLOAD_SESSION_MIN_BYTES = 3 * 1024 * 1024;

type Parsed = ParsedMessage<AttachmentSource>;

interface AttachmentFailure {
  attachment: AttachmentSource;
  index: number;
  reason: string;
}

export class OutlookMailAdapter implements SideAdapter<MailProjection> {
  readonly side = 'outlook' as const;
  readonly kind: 'mail' | 'sentmail';
  /** PATCH sends If-Match (Graph refuses it with 412 once the message moved on); the delete is a move, which takes none. */
  readonly atomicConditionalWrites = ['update'] as const;
  onImportIssue?: MailImportIssueListener;
  private readonly api: GraphApi;
  private readonly clock: Clock;
  private readonly lookBackDays: number;
  private readonly pageSize: number;
  private readonly createFolder: string;

  constructor(private readonly options: OutlookMailAdapterOptions) {
    this.api = options.api;
    this.clock = options.clock ?? systemClock;
    this.lookBackDays = options.lookBackDays ?? 30;
    this.pageSize = options.pageSize ?? 50;
    this.createFolder = options.createFolder ?? OUTLOOK_MAIL_FOLDER;
    this.kind = options.kind ?? 'mail';
    this.onImportIssue = options.onImportIssue;
  }

  async listChanges(
    user: UserRef,
    folder: string,
    cursor: string | undefined,
  ): Promise<ChangePage<MailProjection>> {
    const state: MailCursorState = cursor ? decodeMailCursor(cursor, folder) : { v: 1, folder, full: true };
    const url = state.link ?? this.initialDeltaPath(user, folder);
    // A 410 (or syncStateNotFound) becomes CursorExpiredError in GraphApi; the engine starts a new round.
    const page = await this.api.get<GraphCollection<GraphMessage>>(url, {
      mailbox: user.entraId,
      prefer: [`odata.maxpagesize=${this.pageSize}`],
      what: 'mail delta',
    });
    const nextLink = page['@odata.nextLink'];
    const deltaLink = page['@odata.deltaLink'];
    if (!nextLink && !deltaLink)
      throw new TransientRemoteError('mail delta page without nextLink or deltaLink');

    const changes: RemoteChange<MailProjection>[] = [];
    for (const row of page.value) {
      if (row['@removed']) {
        changes.push({ id: row.id, deleted: true });
        continue;
      }
      const message = isComplete(row) ? row : await this.readMessage(user, row.id);
      if (!message) continue;
      const item = this.toItem(user, message);
      if (item) changes.push(item);
    }
    const next: MailCursorState = {
      ...state,
      link: nextLink ?? deltaLink,
      full: nextLink ? state.full : false,
    };
    return {
      changes,
      nextCursor: encodeMailCursor(next),
      fullListing: state.full,
      more: nextLink !== undefined,
    };
  }

  async get(user: UserRef, id: string): Promise<RemoteItem<MailProjection> | undefined> {
    const message = await this.readMessage(user, id);
    return message ? this.toItem(user, message, { keepDrafts: true }) : undefined;
  }

  /** Our stamp is filterable by value (graph.md §4.3): a create whose answer was lost is found by it. */
  async findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<MailProjection> | undefined> {
    const found = await this.readByOriginKey(user, originKey);
    return found ? this.toItem(user, found, { keepDrafts: true }) : undefined;
  }

  /**
   * Copies a message into Outlook: the JSON create (with as many attachments as fit in 4 MB), then the other
   * attachments one by one. Every difference from what was asked ends up in one report (onImportIssue).
   */
  async create(
    user: UserRef,
    projection: MailProjection,
    originKey: string,
  ): Promise<RemoteItem<MailProjection>> {
    if (!projection.content) {
      throw new PermanentRemoteError('a mail copy needs the source message content', 'MissingContent');
    }
    // The message is read into one Buffer (the parse and each large attachment's second read need it whole);
    // attachments beyond what one create request can carry are not held but decoded again when they are sent.
    const parsed = await this.parse(await readWhole(await openContent(projection.content)));
    const plan = planImport({ parsed, projection, originKey, maxRequestBytes: this.options.maxRequestBytes });
    let created = await this.postMessage(user, plan, () =>
      planImport({
        parsed,
        projection,
        originKey,
        deferAll: true,
        maxRequestBytes: this.options.maxRequestBytes,
      }),
    );
    const issues: MailImportIssue[] = damageIssues(parsed);
    if (created.plan.deferred.length) {
      const failures = await this.addAttachments(user, created.message.id, parsed, created.plan.deferred);
      if (failures.length) {
        created = await this.noteMissing(
          user,
          created.message,
          parsed,
          projection,
          originKey,
          failures,
          issues,
        );
      }
      // Each attachment changed the changeKey: read the version (and the state to check) as it is now.
      created = {
        ...created,
        message: (await this.readMessage(user, created.message.id)) ?? created.message,
      };
    }
    issues.push(...checkImport(created.message, projection));
    const item = this.toItem(user, created.message, { keepDrafts: true, originKey });
    if (issues.length) this.report(user, created.message, parsed, originKey, issues);
    return item!;
  }

  /** Sets read state and flag; with expectedVersion the PATCH carries If-Match (412 → VersionConflictRemoteError). */
  async update(
    user: UserRef,
    id: string,
    projection: MailProjection,
    expectedVersion?: string,
  ): Promise<RemoteItem<MailProjection>> {
    // The answer of a PATCH is the whole message with its new changeKey (the engine keeps the version and the
    // flags from it); only our stamp is missing from it.
    const updated = await this.api.patch<GraphMessage>(
      this.messagePath(user, id),
      { isRead: projection.seen, flag: { flagStatus: projection.flagged ? 'flagged' : 'notFlagged' } },
      { mailbox: user.entraId, what: 'update message flags', ifMatch: ifMatchFor(expectedVersion) },
    );
    return this.toItem(user, updated, { keepDrafts: true })!;
  }

  /**
   * Soft delete: the message moves to Deleted Items, where the person can still get it back (a deletion that
   * was a mistake on the other side is not final here). Graph's move takes no If-Match, so a given
   * expectedVersion is compared right before it; a message already gone counts as deleted.
   */
  async delete(user: UserRef, id: string, expectedVersion?: string): Promise<void> {
    if (expectedVersion) {
      const current = await this.readMessage(user, id);
      if (!current) return;
      const version = versionOf(current);
      if (version !== expectedVersion) {
        throw new VersionConflictRemoteError(`delete message: ${id} changed since it was read`, version);
      }
    }
    try {
      await this.api.post(
        `${this.messagePath(user, id)}/move`,
        { destinationId: 'deleteditems' },
        {
          mailbox: user.entraId,
          what: 'move message to deleted items',
        },
      );
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  /** The exact MIME of an Outlook message, for a copy to the other side. */
  rawMessage(user: UserRef, id: string): Promise<Buffer> {
    return this.options.transfer.rawMessage(
      `${this.messagePath(user, id)}/$value`,
      user.entraId,
      'read message MIME',
    );
  }

  /** The same, as a stream (a copy to DingTalk reads it into the one Buffer its APPEND sends). */
  rawMessageStream(user: UserRef, id: string): Promise<MailStream> {
    return this.options.transfer.rawMessageStream(
      `${this.messagePath(user, id)}/$value`,
      user.entraId,
      'read message MIME',
    );
  }

  private async parse(raw: Buffer): Promise<Parsed> {
    const { parseMimeForCopy, MimeParseError } = mimeModule();
    try {
      return await parseMimeForCopy(raw, this.options.maxRequestBytes ?? MAX_REQUEST_BYTES);
    } catch (err) {
      if (err instanceof MimeParseError) throw new PermanentRemoteError(err.message, 'MimeUnreadable');
      throw err;
    }
  }

  /**
   * POST into the folder. POST is never retried (http-client.ts): an answer lost after a transient failure is
   * looked up by our stamp before giving up, so a retry of the whole create by the engine finds it instead of
   * making a second copy. A 413 means the JSON was larger than Graph accepts after all: once more without any
   * attachment in it.
   */
  private async postMessage(
    user: UserRef,
    plan: ImportPlan<AttachmentSource>,
    withoutAttachments: () => ImportPlan<AttachmentSource>,
  ): Promise<{ message: GraphMessage; plan: ImportPlan<AttachmentSource> }> {
    const originKey = stampOf(plan.body);
    try {
      return { message: await this.postCreate(user, plan.body), plan };
    } catch (err) {
      if (err instanceof PermanentRemoteError && err.status === 413 && plan.body.attachments?.length) {
        const smaller = withoutAttachments();
        return { message: await this.postCreate(user, smaller.body), plan: smaller };
      }
      if (err instanceof TransientRemoteError && err.status !== 429) {
        const existing = await this.readByOriginKey(user, originKey).catch(() => undefined);
        // Found: the create happened. Its deferred attachments were not added yet; carry on with them.
        if (existing) return { message: existing, plan };
      }
      throw err;
    }
  }

  private postCreate(user: UserRef, body: GraphMessageWrite): Promise<GraphMessage> {
    return this.api.post<GraphMessage>(
      `${this.userPath(user)}/mailFolders/${encodeURIComponent(this.createFolder)}/messages`,
      body,
      { mailbox: user.entraId, what: 'create message' },
    );
  }

  /** Adds each attachment the create left out; returns those Outlook did not take, with why. */
  private async addAttachments(
    user: UserRef,
    messageId: string,
    parsed: Parsed,
    deferred: AttachmentSource[],
  ): Promise<AttachmentFailure[]> {
    const failures: AttachmentFailure[] = [];
    for (const attachment of deferred) {
      const index = parsed.attachments.indexOf(attachment);
      try {
        await this.addAttachment(user, messageId, attachment, index);
      } catch (err) {
        failures.push({ attachment, index, reason: reasonOf(err) });
      }
    }
    return failures;
  }

  private async addAttachment(
    user: UserRef,
    messageId: string,
    a: AttachmentSource,
    index: number,
  ): Promise<void> {
    const path = `${this.messagePath(user, messageId)}/attachments`;
    if (a.size > MAX_UPLOAD_BYTES) {
      throw new PermanentRemoteError(
        `larger than Outlook's ${MAX_UPLOAD_BYTES / 1024 / 1024} MB attachment limit`,
        'AttachmentTooLarge',
      );
    }
    if (a.size < UPLOAD_SESSION_MIN_BYTES) {
      const content = a.content ?? (await collect(await a.open()));
      await this.api.post(path, toFileAttachment(a, index, content.toString('base64')), {
        mailbox: user.entraId,
        what: 'add attachment',
      });
      return;
    }
    const item: Record<string, unknown> = {
      attachmentType: 'file',
      name: attachmentName(a, index),
      size: a.size,
      contentType: a.contentType || 'application/octet-stream',
      isInline: a.inline,
    };
    if (a.contentId) item.contentId = a.contentId;
    const session = await this.api.post<GraphUploadSession>(
      `${path}/createUploadSession`,
      { AttachmentItem: item },
      { mailbox: user.entraId, what: 'create attachment upload session' },
    );
    // A stream when the parse did not hold the bytes: read one upload chunk at a time.
    await this.options.transfer.upload(
      session.uploadUrl,
      user.entraId,
      a.content ?? (await a.open()),
      'upload attachment',
      a.size,
    );
  }

  /**
   * Some attachments could not be added: the copy must say so in its body. A PATCH of the body works on a message
   * Exchange keeps as a draft; Graph refuses body changes on other messages ("Update message"), so the copy is then
   * made again with the note (and without those files), and the first one is removed.
   */
  private async noteMissing(
    user: UserRef,
    first: GraphMessage,
    parsed: Parsed,
    projection: MailProjection,
    originKey: string,
    failures: AttachmentFailure[],
    issues: MailImportIssue[],
  ): Promise<{ message: GraphMessage; plan: ImportPlan<AttachmentSource> }> {
    const notes = failures.map((f) =>
      missingAttachmentNote(attachmentName(f.attachment, f.index), f.attachment.size, f.reason),
    );
    for (const f of failures) {
      issues.push({
        kind: 'attachment-not-imported',
        attachment: { name: attachmentName(f.attachment, f.index), size: f.attachment.size },
        reason: f.reason,
      });
    }
    const plan = planImport({
      parsed,
      projection,
      originKey,
      notes,
      maxRequestBytes: this.options.maxRequestBytes,
    });
    try {
      const patched = await this.api.patch<GraphMessage>(
        this.messagePath(user, first.id),
        { body: plan.body.body },
        { mailbox: user.entraId, what: 'note missing attachments' },
      );
      return { message: patched, plan };
    } catch (err) {
      if (!(err instanceof PermanentRemoteError)) throw err;
    }
    const failed = new Set(failures.map((f) => f.attachment));
    const again = await this.postMessage(user, plan, () =>
      planImport({
        parsed,
        projection,
        originKey,
        notes,
        deferAll: true,
        maxRequestBytes: this.options.maxRequestBytes,
      }),
    );
    for (const a of again.plan.deferred.filter((d) => !failed.has(d))) {
      const index = parsed.attachments.indexOf(a);
      try {
        await this.addAttachment(user, again.message.id, a, index);
      } catch (err) {
        // Taken the first time, refused now: the note does not name it, the report does.
        issues.push({
          kind: 'attachment-not-imported',
          attachment: { name: attachmentName(a, index), size: a.size },
          reason: `${reasonOf(err)} (not named in the message's note)`,
        });
      }
    }
    await this.api
      .delete(this.messagePath(user, first.id), { mailbox: user.entraId, what: 'remove incomplete copy' })
      .catch((err: unknown) => {
        if (!(err instanceof NotFoundRemoteError)) {
          issues.push({
            kind: 'not-as-asked',
            reason: `an incomplete first copy ${first.id} is left: ${reasonOf(err)}`,
          });
        }
      });
    return again;
  }

  private report(
    user: UserRef,
    message: GraphMessage,
    parsed: Parsed,
    originKey: string,
    issues: MailImportIssue[],
  ): void {
    const report: MailImportReport = {
      pairId: user.pairId,
      id: message.id,
      originKey,
      internetMessageId: parsed.messageId,
      subject: parsed.subject,
      issues,
    };
    this.options.logger?.warn('mail import not as asked', {
      pairId: user.pairId,
      id: message.id,
      issues: issues.map((i) => `${i.kind}${i.field ? ` ${i.field}` : ''}: ${i.reason}`).join('; '),
    });
    this.onImportIssue?.(user, report);
  }

  private async readMessage(user: UserRef, id: string): Promise<GraphMessage | undefined> {
    try {
      return await this.api.get<GraphMessage>(`${this.messagePath(user, id)}?${READ_QUERY}`, {
        mailbox: user.entraId,
        what: 'get message',
      });
    } catch (err) {
      if (err instanceof NotFoundRemoteError) return undefined;
      throw err;
    }
  }

  private async readByOriginKey(user: UserRef, originKey: string): Promise<GraphMessage | undefined> {
    const query = `$filter=${encodeURIComponent(originKeyFilter(originKey))}&${READ_QUERY}&$top=2`;
    const page = await this.api.get<GraphCollection<GraphMessage>>(
      `${this.userPath(user)}/messages?${query}`,
      {
        mailbox: user.entraId,
        what: 'find message by origin key',
      },
    );
    return page.value[0];
  }

  /**
   * A draft in the inbox is not mail and is not synced, unless it carries our stamp: that is a copy of ours that
   * Exchange kept as a draft (reported when it was made), and leaving it out of a full listing would read as its
   * deletion.
   */
  private toItem(
    user: UserRef,
    m: GraphMessage,
    options: { keepDrafts?: boolean; originKey?: string } = {},
  ): RemoteItem<MailProjection> | undefined {
    const stamps = readMailStamps(m.singleValueExtendedProperties);
    const originKey = stamps.originKey ?? options.originKey;
    if (m.isDraft === true && !originKey && !options.keepDrafts) return undefined;
    const envelope: MailEnvelope = {
      subject: m.subject ?? '',
      receivedAt: toSecond(m.receivedDateTime) ?? toSecond(m.lastModifiedDateTime) ?? '',
    };
    if (m.internetMessageId) envelope.messageId = m.internetMessageId;
    const from = m.from?.emailAddress?.address;
    if (from) envelope.from = from.toLowerCase();
    const sentAt = toSecond(m.sentDateTime ?? undefined);
    if (sentAt) envelope.sentAt = sentAt;
    if (stamps.size !== undefined) envelope.size = stamps.size;
    const projection: MailProjection = {
      seen: m.isRead === true,
      flagged: m.flag?.flagStatus === 'flagged',
      envelope,
      content: {
        raw: () => this.rawMessage(user, m.id),
        stream: () => this.rawMessageStream(user, m.id),
      } satisfies MailContent,
    };
    const item: RemoteItem<MailProjection> = {
      id: m.id,
      version: versionOf(m),
      modifiedAt: m.lastModifiedDateTime ?? '',
      projection,
      matchKeys: mailMatchKeys(envelope),
    };
    if (originKey) item.originKey = originKey;
    return item;
  }

  private initialDeltaPath(user: UserRef, folder: string): string {
    const since = new Date(this.clock.now() - this.lookBackDays * 86_400_000)
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    return (
      `${this.userPath(user)}/mailFolders/${encodeURIComponent(folder)}/messages/delta` +
      `?${READ_QUERY}&$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}`
    );
  }

  private userPath(user: UserRef): string {
    return `/users/${encodeURIComponent(user.entraId)}`;
  }

  private messagePath(user: UserRef, id: string): string {
    return `${this.userPath(user)}/messages/${encodeURIComponent(id)}`;
  }
}

/* eslint-disable @typescript-eslint/no-require-imports -- mailparser loads on the first copy into Outlook, not at start */
const mimeModule = (): typeof import('../../mail/parse-mime') =>
  require('../../mail/parse-mime') as typeof import('../../mail/parse-mime');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The version is the changeKey, as for events (event-etag.ts): If-Match sends it as W/"<changeKey>". */
const versionOf = (m: GraphMessage) => m.changeKey ?? changeKeyOfEtag(m['@odata.etag']) ?? '';

/** A delta row of a changed message may carry only what changed; the projection needs all of these. */
const isComplete = (m: GraphMessage) =>
  m.receivedDateTime !== undefined &&
  m.isRead !== undefined &&
  m.isDraft !== undefined &&
  m.flag !== undefined;

function toSecond(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const at = Date.parse(iso);
  return Number.isFinite(at) ? new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
}

const stampOf = (body: GraphMessageWrite) => body.singleValueExtendedProperties[0].value ?? '';

function reasonOf(err: unknown): string {
  if (err instanceof PermanentRemoteError || err instanceof TransientRemoteError) return err.message;
  return (err as Error)?.message ?? String(err);
}

/** Parts the source's MIME carried damaged (parse-mime.ts): left out of the copy, and named in its body. */
function damageIssues(parsed: Parsed): MailImportIssue[] {
  return (parsed.damaged ?? []).map((d) =>
    d.filename || d.contentId
      ? {
          kind: 'attachment-not-imported',
          attachment: { name: damagedPartName(d), size: d.size },
          // The audit row shows the reasons alone: the file's name goes in, so the admin knows which one.
          reason: `${damagedPartName(d)}: ${d.reason}; the original message carries it damaged`,
        }
      : { kind: 'not-as-asked', reason: `${damagedPartName(d)}: ${d.reason}; copied as received` },
  );
}

/** What Exchange made of the create against what was asked: non-draft, read state, delivery time, flag. */
export function checkImport(m: GraphMessage, projection: MailProjection): MailImportIssue[] {
  const issues: MailImportIssue[] = [];
  if (m.isDraft !== false) {
    issues.push({
      kind: 'not-as-asked',
      field: 'isDraft',
      asked: 'false',
      got: String(m.isDraft),
      reason: 'Exchange kept the copy as a draft (PidTagMessageFlags not honoured)',
    });
  }
  if (m.isRead !== undefined && m.isRead !== projection.seen) {
    issues.push({
      kind: 'not-as-asked',
      field: 'isRead',
      asked: String(projection.seen),
      got: String(m.isRead),
      reason: 'read state differs from the source',
    });
  }
  const asked = Date.parse(projection.envelope.receivedAt);
  const got = Date.parse(m.receivedDateTime ?? '');
  if (Number.isFinite(asked) && (!Number.isFinite(got) || Math.abs(got - asked) > 1000)) {
    issues.push({
      kind: 'not-as-asked',
      field: 'receivedDateTime',
      asked: projection.envelope.receivedAt,
      got: m.receivedDateTime ?? '',
      reason: 'received time differs from the source (PidTagMessageDeliveryTime not honoured)',
    });
  }
  if (m.flag?.flagStatus !== undefined && (m.flag.flagStatus === 'flagged') !== projection.flagged) {
    issues.push({
      kind: 'not-as-asked',
      field: 'flag',
      asked: projection.flagged ? 'flagged' : 'notFlagged',
      got: m.flag.flagStatus,
      reason: 'flag differs from the source',
    });
  }
  return issues;
}
