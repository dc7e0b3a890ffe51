import {
  parseLifecycleBatch,
  parseNotificationBatch,
  subscriptionIdsOf,
  validationResponse,
  verifyLifecycleItems,
  verifyNotificationItems,
  DEFAULT_MAX_BATCH_BYTES,
  type SubscriptionSecrets,
} from '../ingress';
import type { Logger } from '../platform/logger';
import type { SubscriptionRepository } from '../store/repositories';
import type { SubscriptionRecord } from '../store/types';
import { recordHint, type HintDeps } from './hints';

export interface GraphIngressDeps extends HintDeps {
  subscriptions: Pick<SubscriptionRepository, 'get' | 'save'>;
  log: Logger;
  now: () => number;
}

export interface GraphWebhookInput {
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

export type GraphWebhookOutcome =
  | { status: 200; contentType: 'text/plain'; body: string }
  | { status: 202; accepted: number; rejected: number }
  | { status: 400 | 401 | 403 | 413 | 415; error: string };

async function loadSecrets(deps: GraphIngressDeps, ids: string[]): Promise<Map<string, SubscriptionRecord>> {
  const records = await Promise.all(ids.map((id) => deps.subscriptions.get(id)));
  return new Map(records.filter((r): r is SubscriptionRecord => !!r).map((r) => [r.subscriptionId, r]));
}

const secretsOf =
  (records: Map<string, SubscriptionRecord>) =>
  (id: string): SubscriptionSecrets | undefined => {
    const r = records.get(id);
    return (
      r && {
        clientStateHash: r.clientStateHash,
        clientStateSalt: r.clientStateSalt,
        pairId: r.pairId,
        kind: r.kind,
        folder: r.folder,
      }
    );
  };

/** A batch with items but none of them ours is someone probing the endpoint: refuse it, record nothing. */
function refusal(rejected: number): GraphWebhookOutcome {
  return { status: 403, error: `none of the ${rejected} notifications belongs to a subscription of ours` };
}

export async function handleGraphNotifications(
  deps: GraphIngressDeps,
  input: GraphWebhookInput,
): Promise<GraphWebhookOutcome> {
  const validation = validationResponse(input.query);
  if (validation) {
    if (validation.status === 200) return { status: 200, contentType: 'text/plain', body: validation.body };
    return { status: 400, error: validation.body };
  }
  const batch = parseNotificationBatch(input.contentType, input.body, DEFAULT_MAX_BATCH_BYTES);
  if (!batch.ok) {
    deps.log.warn('graph notification batch rejected', { status: batch.status, reason: batch.reason });
    return { status: batch.status, error: batch.reason };
  }
  const records = await loadSecrets(deps, subscriptionIdsOf(batch.items));
  const verdicts = verifyNotificationItems(batch.items, secretsOf(records));
  for (const r of verdicts.rejected) {
    deps.log.warn('graph notification dropped', { subscriptionId: r.item.subscriptionId, reason: r.reason });
  }
  if (verdicts.accepted.length === 0 && (verdicts.rejected.length > 0 || batch.dropped.length > 0)) {
    return refusal(verdicts.rejected.length + batch.dropped.length);
  }
  const now = deps.now();
  for (const { subscription, deliveryId } of verdicts.accepted) {
    await recordHint(
      deps,
      {
        pairId: subscription.pairId,
        kind: subscription.kind,
        side: 'outlook',
        folder: subscription.folder,
        reason: 'notification',
      },
      { source: 'graph', id: deliveryId },
      now,
    );
  }
  return {
    status: 202,
    accepted: verdicts.accepted.length,
    rejected: verdicts.rejected.length + batch.dropped.length,
  };
}

/**
 * Lifecycle events are answered fast and acted on by others: the subscription is marked as due (the timer renews
 * or recreates it within a minute), and a pull catches up with whatever the missing notifications announced.
 */
export async function handleGraphLifecycle(
  deps: GraphIngressDeps,
  input: GraphWebhookInput,
): Promise<GraphWebhookOutcome> {
  const validation = validationResponse(input.query);
  if (validation) {
    if (validation.status === 200) return { status: 200, contentType: 'text/plain', body: validation.body };
    return { status: 400, error: validation.body };
  }
  const batch = parseLifecycleBatch(input.contentType, input.body, DEFAULT_MAX_BATCH_BYTES);
  if (!batch.ok) {
    deps.log.warn('graph lifecycle batch rejected', { status: batch.status, reason: batch.reason });
    return { status: batch.status, error: batch.reason };
  }
  const records = await loadSecrets(deps, subscriptionIdsOf(batch.items));
  const verdicts = verifyLifecycleItems(batch.items, secretsOf(records));
  for (const r of verdicts.rejected) {
    deps.log.warn('graph lifecycle event dropped', {
      subscriptionId: r.item.subscriptionId,
      reason: r.reason,
    });
  }
  if (verdicts.accepted.length === 0 && (verdicts.rejected.length > 0 || batch.dropped.length > 0)) {
    return refusal(verdicts.rejected.length + batch.dropped.length);
  }
  const now = deps.now();
  for (const { item, subscription, action, deliveryId } of verdicts.accepted) {
    deps.log.info('graph lifecycle event', {
      subscriptionId: item.subscriptionId,
      event: item.lifecycleEvent,
    });
    const record = records.get(item.subscriptionId);
    if (record && action.action !== 'resync') {
      // Due now: the maintenance timer renews (or, when Graph removed it, recreates) it on its next run.
      await deps.subscriptions.save({ ...record, expiresAt: new Date(now).toISOString() });
    }
    await recordHint(
      deps,
      {
        pairId: subscription.pairId,
        kind: subscription.kind,
        side: 'outlook',
        folder: subscription.folder,
        reason: item.lifecycleEvent,
        ...(action.action === 'recreate' ? { resync: true } : {}),
      },
      { source: 'graph', id: deliveryId },
      now,
    );
  }
  return {
    status: 202,
    accepted: verdicts.accepted.length,
    rejected: verdicts.rejected.length + batch.dropped.length,
  };
}
