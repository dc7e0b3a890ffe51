import type { Kind } from '../../sync/types';
import { clientStateMatches } from './client-state';

/** What the caller knows about one of our subscriptions; loaded from the subscriptions table before verifying. */
export interface SubscriptionSecrets {
  clientStateHash: string;
  clientStateSalt: string;
  pairId: string;
  kind: Kind;
  folder: string;
}

export type SubscriptionLookup = (subscriptionId: string) => SubscriptionSecrets | undefined;

export interface SubscriptionCheck<T> {
  accepted: Array<{ item: T; subscription: SubscriptionSecrets }>;
  rejected: Array<{ item: T; reason: string }>;
}

/** Distinct subscription ids of a batch, so the caller can load their secrets in one go. */
export const subscriptionIdsOf = (items: ReadonlyArray<{ subscriptionId: string }>): string[] => [
  ...new Set(items.map((item) => item.subscriptionId)),
];

/** Item by item, because one POST may mix subscriptions, and one bad item must not sink the good ones. */
export function checkSubscriptions<T extends { subscriptionId: string; clientState: string }>(
  items: readonly T[],
  lookup: SubscriptionLookup,
): SubscriptionCheck<T> {
  const result: SubscriptionCheck<T> = { accepted: [], rejected: [] };
  for (const item of items) {
    const subscription = lookup(item.subscriptionId);
    if (!subscription) {
      result.rejected.push({ item, reason: 'unknown subscription' });
    } else if (
      !clientStateMatches(item.clientState, subscription.clientStateSalt, subscription.clientStateHash)
    ) {
      result.rejected.push({ item, reason: 'clientState does not match' });
    } else {
      result.accepted.push({ item, subscription });
    }
  }
  return result;
}
