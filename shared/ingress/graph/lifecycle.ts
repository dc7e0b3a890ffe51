import { z } from 'zod';
import type { Rejection } from '../rejection';
import { DEFAULT_MAX_BATCH_ITEMS, type DroppedItem, parseBatchItems } from './batch-envelope';
import { checkSubscriptions, type SubscriptionLookup, type SubscriptionSecrets } from './subscription-check';

/** Lifecycle notifications (Microsoft Graph's documentation): Graph telling us a subscription needs care. */
export const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export interface LifecycleItem {
  subscriptionId: string;
  clientState: string;
  lifecycleEvent: LifecycleEvent;
  subscriptionExpirationDateTime?: string;
  tenantId?: string;
}

export type LifecycleAction =
  | { action: 'renew'; subscriptionId: string }
  | { action: 'recreate'; subscriptionId: string; resync: true }
  | { action: 'resync'; subscriptionId: string };

export type LifecycleBatch = { ok: true; items: LifecycleItem[]; dropped: DroppedItem[] } | Rejection;

export interface AcceptedLifecycle {
  item: LifecycleItem;
  subscription: SubscriptionSecrets;
  action: LifecycleAction;
}

export interface LifecycleVerdicts {
  accepted: AcceptedLifecycle[];
  rejected: Array<{ item: LifecycleItem; reason: string }>;
}

const itemSchema = z.object({
  subscriptionId: z.string().min(1).max(128),
  clientState: z.string().min(1).max(255),
  lifecycleEvent: z.enum(LIFECYCLE_EVENTS),
  subscriptionExpirationDateTime: z.string().max(64).optional().catch(undefined),
  tenantId: z.string().max(64).optional().catch(undefined),
});

function toItem(data: z.infer<typeof itemSchema>): LifecycleItem {
  const item: LifecycleItem = {
    subscriptionId: data.subscriptionId,
    clientState: data.clientState,
    lifecycleEvent: data.lifecycleEvent,
  };
  if (data.subscriptionExpirationDateTime !== undefined) {
    item.subscriptionExpirationDateTime = data.subscriptionExpirationDateTime;
  }
  if (data.tenantId !== undefined) item.tenantId = data.tenantId;
  return item;
}

export function parseLifecycleBatch(
  contentType: string | undefined,
  body: string,
  maxBytes: number,
  maxItems: number = DEFAULT_MAX_BATCH_ITEMS,
): LifecycleBatch {
  return parseBatchItems({ contentType, body, maxBytes, maxItems }, itemSchema, toItem);
}

/**
 * reauthorizationRequired: renewing also reauthorizes. subscriptionRemoved: Graph deleted it, so make a new one
 * and resync the gap. missed: notifications were lost, so resync.
 */
export function lifecycleActionFor(item: LifecycleItem): LifecycleAction {
  switch (item.lifecycleEvent) {
    case 'reauthorizationRequired':
      return { action: 'renew', subscriptionId: item.subscriptionId };
    case 'subscriptionRemoved':
      return { action: 'recreate', subscriptionId: item.subscriptionId, resync: true };
    case 'missed':
      return { action: 'resync', subscriptionId: item.subscriptionId };
  }
}

export function verifyLifecycleItems(
  items: readonly LifecycleItem[],
  lookup: SubscriptionLookup,
): LifecycleVerdicts {
  const checked = checkSubscriptions(items, lookup);
  return {
    accepted: checked.accepted.map(({ item, subscription }) => ({
      item,
      subscription,
      action: lifecycleActionFor(item),
    })),
    rejected: checked.rejected,
  };
}
