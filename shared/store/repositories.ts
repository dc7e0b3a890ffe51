import type { UserRef } from '../sync/types';
import type { FailureRecord, SubscriptionRecord, UserPair, WorkItem } from './types';

/**
 * Interfaces of the state repositories. Table Storage implements them (this folder); the engine's own ports
 * (LinkStore, IntentStore, AuditSink) live in ../sync/types.ts.
 */

export interface UserRepository {
  /** Every pair: for the pairing run and daily jobs, never for a per-minute path. */
  list(): Promise<UserPair[]>;
  /** The pairs whose sweep slot is in [from, to). */
  listSlots(from: number, to: number): Promise<UserPair[]>;
  get(pairId: string): Promise<UserPair | undefined>;
  findByDingtalkUserId(userId: string): Promise<UserPair | undefined>;
  findByUnionId(unionId: string): Promise<UserPair | undefined>;
  findByEntraId(entraId: string): Promise<UserPair | undefined>;
  /** Insert or conditional replace (etag); ConcurrencyError when stale. */
  save(pair: UserPair): Promise<UserPair>;
  /** Saves many pairs in batches; a pair that fails is reported, the others are saved. */
  saveMany(
    pairs: UserPair[],
  ): Promise<{ saved: UserPair[]; failed: Array<{ pair: UserPair; error: unknown }> }>;
}

export const toUserRef = (p: UserPair): UserRef => ({
  pairId: p.pairId,
  dingtalkUserId: p.dingtalkUserId,
  dingtalkUnionId: p.dingtalkUnionId,
  entraId: p.entraId,
  email: p.email,
});

/** A pair whose subscriptions must be brought in line with it; key and etag identify the entry to clear. */
export interface PendingPair {
  pairId: string;
  key: string;
  etag?: string;
  /** The pair just became active: queue its first sync when it is served. */
  firstSync?: boolean;
}

export interface SubscriptionRepository {
  /** A keyed lookup of the pair's subscriptions, no scan. */
  listByPair(pairId: string): Promise<SubscriptionRecord[]>;
  /** Every subscription: a table scan, for the daily audit only. */
  listAll(): Promise<SubscriptionRecord[]>;
  /** Looks a subscription up by id alone (notifications carry only the id). */
  get(subscriptionId: string): Promise<SubscriptionRecord | undefined>;
  save(record: SubscriptionRecord): Promise<SubscriptionRecord>;
  /** Stores a renewal's new expiry (etag-checked) and moves its renewal-index entry. */
  renew(record: SubscriptionRecord, expiresAt: string): Promise<SubscriptionRecord>;
  remove(record: SubscriptionRecord): Promise<void>;
  /** Records expiring before `before`, soonest first, reading only those. */
  dueForRenewal(before: number, limit: number): Promise<SubscriptionRecord[]>;
  /** Asks for these pairs' subscriptions to be brought in line with the pairs. */
  markPending(pairIds: string[], options?: { firstSync?: boolean }): Promise<void>;
  listPending(now: number, limit: number): Promise<PendingPair[]>;
  clearPending(pending: PendingPair): Promise<void>;
  /** Puts a pair that could not be served back, to be served again from `notBefore`. */
  deferPending(pending: PendingPair, notBefore: number): Promise<void>;
  /**
   * A short exclusive claim on creating one subscription (pair + resource), so two overlapping timer runs never
   * create the same subscription twice. Returns false when someone else holds it.
   */
  claimCreate(pairId: string, resource: string, owner: string, ttlMs: number): Promise<boolean>;
  releaseCreate(pairId: string, resource: string, owner: string): Promise<void>;
}

export interface FailureRepository {
  record(work: WorkItem, error: string, permanent: boolean, now: number): Promise<FailureRecord>;
  /** Failures whose next try is due. */
  due(now: number, limit: number): Promise<FailureRecord[]>;
  /** After a retry: removes it when it succeeded, else schedules the next attempt with backoff. */
  settle(
    record: FailureRecord,
    outcome: { ok: true } | { ok: false; error: string; permanent: boolean },
    now: number,
  ): Promise<void>;
  list(): Promise<FailureRecord[]>;
}

export interface WorkQueue {
  /** delaySeconds keeps the message invisible that long (a retry that should not come back at once). */
  enqueue(work: WorkItem, options?: { delaySeconds?: number }): Promise<void>;
}
