import type { Stores } from '../store';
import type { SubscriptionRecord, UserPair } from '../store/types';
import { TtlCache } from './ttl-cache';

/**
 * What ingress reads on every delivery, cached per process (pairs 10 minutes, subscriptions an hour). Stale reads are harmless by design: a
 * pair that just left still gets its hint (the worker skips it); a pair just made is first-synced by the timer
 * anyway; a subscription's clientState hash never changes for its id. Writes never go through these.
 */
export interface IngressLookups {
  users: { findByUnionId(unionId: string): Promise<UserPair | undefined> };
  subscriptions: { get(subscriptionId: string): Promise<SubscriptionRecord | undefined> };
}

/** A pair's row rarely changes; a stale one only sends a hint the worker then skips. */
const PAIR_TTL_MS = 10 * 60_000;
/** A subscription's clientState hash never changes for its id; an hour bounds how long a removed one is known. */
const SUBSCRIPTION_TTL_MS = 60 * 60_000;
/** One entry per paired user and per subscription of a 10,000-user organisation, with room. */
const MAX_ENTRIES = 25_000;
/** An unknown id (a pair not made yet) is asked again after a minute, so a new pair's hints are not lost for long. */
const MISS_TTL_MS = 60_000;

export function createIngressLookups(
  stores: Pick<Stores, 'users' | 'subscriptions'>,
  now: () => number,
): IngressLookups {
  const pairs = new TtlCache<UserPair | undefined>(PAIR_TTL_MS, MAX_ENTRIES, now, MISS_TTL_MS);
  const subscriptions = new TtlCache<SubscriptionRecord | undefined>(
    SUBSCRIPTION_TTL_MS,
    MAX_ENTRIES,
    now,
    MISS_TTL_MS,
  );
  return {
    users: { findByUnionId: (unionId) => pairs.get(unionId, () => stores.users.findByUnionId(unionId)) },
    subscriptions: { get: (id) => subscriptions.get(id, () => stores.subscriptions.get(id)) },
  };
}
