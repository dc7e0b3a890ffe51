/**
 * The sync engine's view of the world. The engine imports nothing that does I/O: connectors (remote sides) and
 * stores (Table Storage) implement these ports, and the worker wires them together.
 */

import { SyncError } from './errors';

export type Side = 'dingtalk' | 'outlook';
/** Every kind of item the product syncs; the type follows from it. */
export const KINDS = ['calendar', 'mail', 'sentmail', 'todo', 'contact'] as const;
export type Kind = (typeof KINDS)[number];

export const otherSide = (side: Side): Side => (side === 'dingtalk' ? 'outlook' : 'dingtalk');

/** One paired employee as the engine needs them: the ids each side's API takes. */
export interface UserRef {
  /** Our pair id (partition key of per-user state). */
  pairId: string;
  dingtalkUserId: string;
  dingtalkUnionId: string;
  entraId: string;
  email: string;
  /**
   * Why the work on this user runs: 'push' when a service's notification asked for it, so its metered DingTalk
   * calls may use the monthly quota's reserve; otherwise (or when absent) background.
   */
  priority?: CallPriority;
}

/** Whether work was asked for by a push (a notification or callback) or is background (polls, sweeps, first syncs). */
export type CallPriority = 'push' | 'background';

/** An item as one side holds it, reduced to the synced projection P. */
export interface RemoteItem<P> {
  id: string;
  /** Opaque version from the remote side (Graph changeKey / @odata.etag, DingTalk updateTime, IMAP modseq). */
  version: string;
  /** When the remote side says the item last changed (ISO 8601); conflict policy "newest wins" reads it. */
  modifiedAt: string;
  projection: P;
  /** Keys that identify the same real-world item on both sides during first-sync matching (iCalUId, subject+start). */
  matchKeys: string[];
  /** Our idempotency stamp if the item was created by us (transactionId / sourceId / extended property). */
  originKey?: string;
}

export interface RemoteDeletion {
  id: string;
  deleted: true;
}

export type RemoteChange<P> = (RemoteItem<P> & { deleted?: false }) | RemoteDeletion;

export const isDeletion = <P>(c: RemoteChange<P>): c is RemoteDeletion => c.deleted === true;

export interface ChangePage<P> {
  changes: RemoteChange<P>[];
  /** Cursor to store once every change in this page has been reconciled. */
  nextCursor: string;
  /** True when the listing is the whole folder (first sync or resync), not a delta. */
  fullListing: boolean;
  /** More pages follow with nextCursor. */
  more: boolean;
}

/** The cursor the adapter was given no longer works (Graph 410 syncStateNotFound, invalid DingTalk syncToken). */
export class CursorExpiredError extends SyncError {
  constructor(message = 'cursor expired') {
    super(message, { code: 'cursor-expired', retryable: true });
  }
}

/** A remote failure worth retrying later (429, 5xx, timeout). retryAfterMs comes from Retry-After when sent. */
export class TransientRemoteError extends SyncError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message, { code: status === 429 ? 'remote-throttled' : 'remote-unavailable', retryable: true });
  }
}

/** A remote refusal that retrying cannot fix (e.g. DingTalk's organizer-only update rule, 403, 400). */
export class PermanentRemoteError extends SyncError {
  constructor(
    message: string,
    readonly remoteCode?: string,
    readonly status?: number,
  ) {
    super(message, { code: 'remote-refused', retryable: false });
  }
}

/**
 * The item changed on the remote side since the version a write was conditioned on (Graph 412 on If-Match; on
 * DingTalk, which has no conditional write, a re-read right before the write found another version). The engine
 * re-reads and decides again, so a person's edit between our read and our write is never overwritten.
 */
export class VersionConflictRemoteError extends SyncError {
  constructor(
    message = 'the item changed since it was read',
    readonly currentVersion?: string,
  ) {
    super(message, { code: 'remote-version-conflict', retryable: true });
  }
}

/** The item is gone on the remote side (404). */
export class NotFoundRemoteError extends SyncError {
  constructor(message = 'not found') {
    super(message, { code: 'remote-not-found', retryable: false });
  }
}

/** One kind on one side: list changes since a cursor, and read/write single items. */
export interface SideAdapter<P> {
  readonly side: Side;
  readonly kind: Kind;
  /** cursor undefined = list the whole folder (first sync / resync). Throws CursorExpiredError when stale. */
  listChanges(user: UserRef, folder: string, cursor: string | undefined): Promise<ChangePage<P>>;
  get(user: UserRef, id: string): Promise<RemoteItem<P> | undefined>;
  /** Create with an idempotency key the remote side keeps, so findByOriginKey can find a half-finished create. */
  create(user: UserRef, projection: P, originKey: string): Promise<RemoteItem<P>>;
  findByOriginKey(user: UserRef, originKey: string): Promise<RemoteItem<P> | undefined>;
  /**
   * Conditional when `expectedVersion` is given: throws VersionConflictRemoteError if the item no longer has that
   * version (If-Match where the service honours it, otherwise a re-read and compare right before the write).
   */
  update(user: UserRef, id: string, projection: P, expectedVersion?: string): Promise<RemoteItem<P>>;
  delete(user: UserRef, id: string, expectedVersion?: string): Promise<void>;
  /**
   * Optional, for a side that renumbers its items (an IMAP folder under a new UIDVALIDITY): the item a stale id
   * named, found again by its match keys. Undefined when the id is of the current numbering (the item is gone) or
   * nothing matches.
   */
  findRenumbered?(user: UserRef, id: string, matchKeys: string[]): Promise<RemoteItem<P> | undefined>;
  /**
   * Optional, for a side whose listing diffs the items' state against a snapshot kept in its cursor (IMAP flags):
   * `cursor` with what this process has written to or read from the folder since that snapshot, so that the next
   * listing, even in another process after a crash, diffs against what the links now hold. The worker stores it with
   * the pull's commit. Returns `cursor` itself when there is nothing to take in.
   */
  cursorWithOwnView?(user: UserRef, folder: string, cursor: string): string;
  /**
   * The conditional writes that the service itself refuses once the item has moved on (Graph's If-Match), as
   * opposed to a re-read and compare in the adapter, which another writer can slip between. Only these may run
   * without the pair's lease (app/pipeline/pull-journal.ts). Undefined: none.
   */
  readonly atomicConditionalWrites?: ReadonlyArray<'update' | 'delete'>;
}

/** The pair of one item on both sides, as stored after our last successful write. */
export interface Link {
  linkId: string;
  kind: Kind;
  dingtalkId?: string;
  outlookId?: string;
  /** Version each side had right after we last read or wrote it. */
  dingtalkVersion?: string;
  outlookVersion?: string;
  /** Hash of the projection both sides held at the last sync. */
  projectionHash: string;
  /** Set when the item was deleted on both sides (kept so that a late change does not resurrect it). */
  tombstone?: boolean;
  /**
   * Where the item was first: the side holding the original when this product created the other half (a copy),
   * `both` when first-sync matching linked two items that already existed. Undefined on links written before it
   * was recorded. Undo (docs/undo.md) removes only the half that is not the origin.
   */
  origin?: Side | 'both';
  /** When this product created the copy (ISO 8601): what undo's time range selects. */
  copiedAt?: string;
  /** Set by undo: the copy was (or is being) removed, and the original is never copied again nor its delete sent. */
  undone?: UndoMark;
  /** Storage concurrency token; undefined for a link not yet stored. */
  etag?: string;
}

/** An admin's undo removed the copy of a link (docs/undo.md). The link keeps the original's half only. */
export interface UndoMark {
  /** The side the copy was on, and its id there. */
  side: Side;
  id: string;
  /** When undo marked the link. */
  at: string;
  /** The copy's removal is not confirmed yet: a re-run of undo reads it again and finishes. */
  pending?: boolean;
}

export interface LinkStore {
  findBySideId(user: UserRef, kind: Kind, side: Side, id: string): Promise<Link | undefined>;
  listLinks(user: UserRef, kind: Kind): Promise<Link[]>;
  /** Optional: fetch the links of many ids of one side at once, so the lookups that follow cost nothing. */
  prefetch?(user: UserRef, kind: Kind, side: Side, ids: string[]): Promise<void>;
  /** Insert when etag is undefined, else conditional replace; throws ConcurrencyError when the etag is stale. */
  save(user: UserRef, link: Link): Promise<Link>;
  remove(user: UserRef, link: Link): Promise<void>;
}

/** An intent is written before a remote create so that a retry after a crash finds the item instead of duplicating. */
export interface Intent {
  kind: Kind;
  /** The side the item will be created on. */
  targetSide: Side;
  /** Id of the source item on the other side. */
  sourceId: string;
  /** Idempotency key sent with the create (transactionId / sourceId / stamp). */
  originKey: string;
  createdAt: string;
  /**
   * For a re-create: the dead id on the target side that the new item replaces in its link. Crash recovery tells a
   * re-create still waiting for its link from one that finished by it.
   */
  replacesId?: string;
  /**
   * Planned for every new item of a pull before any is decided, so that all of them become durable in one write.
   * A planned intent whose copy is not found after a crash is dropped, not carried out: the pull did not commit its
   * cursor, so relisting decides that item again (it may be matched rather than copied).
   */
  planned?: boolean;
  /**
   * The projection hash of the source when the copy was planned, i.e. what the copy was made with. For kinds merged
   * field by field it is the base that crash recovery merges against when the copy or its source changed before
   * they were linked.
   */
  sourceHash?: string;
}

export interface IntentStore {
  get(user: UserRef, kind: Kind, targetSide: Side, sourceId: string): Promise<Intent | undefined>;
  put(user: UserRef, intent: Intent): Promise<void>;
  remove(user: UserRef, intent: Intent): Promise<void>;
  /**
   * Every pending intent of one kind. The engine replays them at the start of each pull (mbsync's journal replay);
   * a store without it gets a weaker per-create lookup instead (docs/sync-engine.md, "Crash safety").
   */
  list?(user: UserRef, kind: Kind): Promise<Intent[]>;
  /** Optional: records intents that become durable together with the next write that needs one. */
  plan?(intents: Intent[]): void;
}

/** Every audit action, in the order the admin's tools list them; the type follows from it. */
export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'link',
  'conflict',
  'skip',
  'dry-run',
  'breaker',
  'failure',
  'undo',
  'admin',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  at: string;
  pairId: string;
  kind: Kind;
  /** The side that was written (or, for conflicts, the side that won). */
  side?: Side;
  action: AuditAction;
  dingtalkId?: string;
  outlookId?: string;
  reason: string;
  /** For conflicts: both versions, as JSON. */
  detail?: string;
  /** For a create or update carried from a delta listing: ms from the change on its side to our write. */
  lagMs?: number;
}

export interface AuditSink {
  record(entry: AuditEntry): Promise<void>;
}

export class ConcurrencyError extends SyncError {
  constructor(message = 'the row changed since it was read', code = 'storage-concurrency') {
    super(message, { code, retryable: true, side: 'storage' });
  }
}

export type ConflictPolicy = 'newest-wins' | 'prefer-dingtalk' | 'prefer-outlook';
export type DeletePolicy = 'propagate' | 'ignore';

export interface SyncPolicy {
  conflict: ConflictPolicy;
  deletes: DeletePolicy;
  /** Largest share of a folder's links one pull may delete (0..1). */
  bulkDeleteMaxShare: number;
  dryRun: boolean;
}
