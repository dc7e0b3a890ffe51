import type { Stores } from '../store';
import type { SubscriptionRecord, UserPair } from '../store/types';
import { TtlCache } from './ttl-cache';

/**
 * What ingress reads on every delivery, cached for a minute per process. Stale reads are harmless by design: a
 * pair that just left still gets its hint (the worker skips it); a pair just made is first-synced by the timer
 * anyway; a subscription's clientState hash never changes for its id. Writes never go through these.
 */
export interface IngressLookups {
  users: { findByUnionId(unionId: string): Promise<UserPair | undefined> };
  subscriptions: { get(subscriptionId: string): Promise<SubscriptionRecord | undefined> };
}

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export function createIngressLookups(
  stores: Pick<Stores, 'users' | 'subscriptions'>,
  now: () => number,
): IngressLookups {
  const pairs = new TtlCache<UserPair | undefined>(TTL_MS, MAX_ENTRIES, now);
  const subscriptions = new TtlCache<SubscriptionRecord | undefined>(TTL_MS, MAX_ENTRIES, now);
  return {
    users: { findByUnionId: (unionId) => pairs.get(unionId, () => stores.users.findByUnionId(unionId)) },
    subscriptions: { get: (id) => subscriptions.get(id, () => stores.subscriptions.get(id)) },
  };
}
