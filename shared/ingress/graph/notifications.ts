import { z } from 'zod';
import type { Rejection } from '../rejection';
import { DEFAULT_MAX_BATCH_ITEMS, type DroppedItem, parseBatchItems } from './batch-envelope';
import { checkSubscriptions, type SubscriptionLookup, type SubscriptionSecrets } from './subscription-check';

/** One basic change notification (Microsoft Graph's documentation): only which item changed, never the change itself. */
export interface NotificationItem {
  subscriptionId: string;
  clientState: string;
  changeType: 'created' | 'updated' | 'deleted';
  resource: string;
  resourceData?: { id: string; etag?: string; odataType?: string };
  tenantId?: string;
  subscriptionExpirationDateTime?: string;
}

export type NotificationBatch = { ok: true; items: NotificationItem[]; dropped: DroppedItem[] } | Rejection;

export interface AcceptedNotification {
  item: NotificationItem;
  subscription: SubscriptionSecrets;
}

export interface NotificationVerdicts {
  accepted: AcceptedNotification[];
  rejected: Array<{ item: NotificationItem; reason: string }>;
}

const text = (max: number) => z.string().min(1).max(max);
const optionalText = (max: number) => z.string().max(max).optional().catch(undefined);

const itemSchema = z.object({
  subscriptionId: text(128),
  // Graph's changeNotification allows 255 here even though subscriptions cap it at 128.
  clientState: text(255),
  changeType: z.enum(['created', 'updated', 'deleted']),
  resource: text(2048),
  resourceData: z
    .object({
      id: text(1024),
      '@odata.etag': optionalText(512),
      '@odata.type': optionalText(256),
    })
    .optional(),
  tenantId: optionalText(64),
  subscriptionExpirationDateTime: optionalText(64),
  lifecycleEvent: z
    .undefined({ error: 'lifecycle notification sent to the change notification endpoint' })
    .optional(),
});

function toItem(data: z.infer<typeof itemSchema>): NotificationItem {
  const item: NotificationItem = {
    subscriptionId: data.subscriptionId,
    clientState: data.clientState,
    changeType: data.changeType,
    resource: data.resource,
  };
  if (data.resourceData) {
    item.resourceData = { id: data.resourceData.id };
    if (data.resourceData['@odata.etag'] !== undefined)
      item.resourceData.etag = data.resourceData['@odata.etag'];
    if (data.resourceData['@odata.type'] !== undefined)
      item.resourceData.odataType = data.resourceData['@odata.type'];
  }
  if (data.tenantId !== undefined) item.tenantId = data.tenantId;
  if (data.subscriptionExpirationDateTime !== undefined) {
    item.subscriptionExpirationDateTime = data.subscriptionExpirationDateTime;
  }
  return item;
}

/** Parses a change-notification POST (see parseBatchItems for what is refused and what is dropped). */
export function parseNotificationBatch(
  contentType: string | undefined,
  body: string,
  maxBytes: number,
  maxItems: number = DEFAULT_MAX_BATCH_ITEMS,
): NotificationBatch {
  return parseBatchItems({ contentType, body, maxBytes, maxItems }, itemSchema, toItem);
}

export function verifyNotificationItems(
  items: readonly NotificationItem[],
  lookup: SubscriptionLookup,
): NotificationVerdicts {
  const checked = checkSubscriptions(items, lookup);
  return {
    accepted: checked.accepted.map(({ item, subscription }) => ({
      item,
      subscription,
    })),
    rejected: checked.rejected,
  };
}
