import {
  parseLifecycleBatch,
  parseNotificationBatch,
  subscriptionIdsOf,
  validationResponse,
  verifyLifecycleItems,
  verifyNotificationItems,
  DEFAULT_MAX_BATCH_BYTES,
  type AcceptedLifecycle,
  type AcceptedNotification,
  type LifecycleItem,
  type NotificationItem,
  type SubscriptionSecrets,
} from '../ingress';
import type { Logger } from '../platform/logger';
import type { SubscriptionRepository } from '../store/repositories';
import type { SubscriptionRecord } from '../store/types';
import { recordHint, type HintDeps } from './hints';

export interface GraphIngressDeps extends HintDeps {
  /** The per-process cache of ingress-lookups.ts: a subscription's secrets never change for its id. */
  subscriptions: Pick<SubscriptionRepository, 'get'>;
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
function refusal(log: Logger, endpoint: string, rejected: number): GraphWebhookOutcome {
  const reason = `none of the ${rejected} notifications passed the checks`;
  log.warn(`graph ${endpoint} batch rejected`, { status: 403, reason });
  return { status: 403, error: reason };
}

/** The two Graph endpoints differ only in the batch they parse and in what an accepted item does. */
interface GraphEndpoint<I extends { subscriptionId: string }, A extends { item: I }> {
  name: string;
  parse(
    input: GraphWebhookInput,
  ):
    | { ok: true; items: I[]; dropped: unknown[] }
    | { ok: false; status: 400 | 401 | 403 | 413 | 415; reason: string };
  verify(
    items: I[],
    lookup: (id: string) => SubscriptionSecrets | undefined,
  ): { accepted: A[]; rejected: Array<{ item: I; reason: string }> };
  accept(deps: GraphIngressDeps, accepted: A, now: number): Promise<void>;
}

async function handleGraphWebhook<I extends { subscriptionId: string }, A extends { item: I }>(
  deps: GraphIngressDeps,
  input: GraphWebhookInput,
  endpoint: GraphEndpoint<I, A>,
): Promise<GraphWebhookOutcome> {
  const validation = validationResponse(input.query);
  if (validation) {
    if (validation.status === 200) return { status: 200, contentType: 'text/plain', body: validation.body };
    deps.log.warn(`graph ${endpoint.name} handshake rejected`, { status: 400, reason: validation.body });
    return { status: 400, error: validation.body };
  }
  const batch = endpoint.parse(input);
  if (!batch.ok) {
    deps.log.warn(`graph ${endpoint.name} batch rejected`, { status: batch.status, reason: batch.reason });
    return { status: batch.status, error: batch.reason };
  }
  for (const { index, reason } of batch.dropped as Array<{ index: number; reason: string }>) {
    deps.log.warn(`graph ${endpoint.name} dropped`, { index, reason });
  }
  const records = await loadSecrets(deps, subscriptionIdsOf(batch.items));
  const verdicts = endpoint.verify(batch.items, secretsOf(records));
  for (const r of verdicts.rejected) {
    deps.log.warn(`graph ${endpoint.name} dropped`, {
      subscriptionId: r.item.subscriptionId,
      reason: r.reason,
    });
  }
  const rejected = verdicts.rejected.length + batch.dropped.length;
  if (verdicts.accepted.length === 0 && rejected > 0) return refusal(deps.log, endpoint.name, rejected);
  const now = deps.now();
  for (const accepted of verdicts.accepted) await endpoint.accept(deps, accepted, now);
  return { status: 202, accepted: verdicts.accepted.length, rejected };
}

const notifications: GraphEndpoint<NotificationItem, AcceptedNotification> = {
  name: 'notification',
  parse: (input) => parseNotificationBatch(input.contentType, input.body, DEFAULT_MAX_BATCH_BYTES),
  verify: verifyNotificationItems,
  accept: async (deps, { item, subscription }, now) => {
    const data = item.resourceData;
    const work = {
      pairId: subscription.pairId,
      kind: subscription.kind,
      side: 'outlook' as const,
      folder: subscription.folder,
      reason: 'notification',
      ...(data?.id ? { itemId: data.id } : {}),
      ...(data?.etag ? { version: data.etag } : {}),
      ...(item.changeType === 'deleted' ? { deleted: true } : {}),
    };
    await recordHint(deps, work, now);
  },
};

/**
 * Lifecycle events are answered fast and acted on by others: the worker that takes the message marks the
 * subscription as due (the timer renews or recreates it within a minute; app/subscription-due.ts), and its pull
 * catches up with whatever the missing notifications announced. The answer waits for that one queue message only.
 */
const lifecycle: GraphEndpoint<LifecycleItem, AcceptedLifecycle> = {
  name: 'lifecycle',
  parse: (input) => parseLifecycleBatch(input.contentType, input.body, DEFAULT_MAX_BATCH_BYTES),
  verify: verifyLifecycleItems,
  accept: async (deps, { item, subscription, action }, now) => {
    deps.log.info('graph lifecycle event', {
      subscriptionId: item.subscriptionId,
      event: item.lifecycleEvent,
    });
    const work = {
      pairId: subscription.pairId,
      kind: subscription.kind,
      side: 'outlook' as const,
      folder: subscription.folder,
      reason: item.lifecycleEvent,
      ...(action.action === 'recreate' ? { resync: true } : {}),
      ...(action.action !== 'resync' ? { subscriptionDue: item.subscriptionId } : {}),
    };
    await recordHint(deps, work, now);
  },
};

export const handleGraphNotifications = (deps: GraphIngressDeps, input: GraphWebhookInput) =>
  handleGraphWebhook(deps, input, notifications);

export const handleGraphLifecycle = (deps: GraphIngressDeps, input: GraphWebhookInput) =>
  handleGraphWebhook(deps, input, lifecycle);
