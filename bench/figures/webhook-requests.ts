import { randomBytes } from 'node:crypto';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import { encryptPayload, signatureOf } from '../../shared/ingress/dingtalk/crypto';
import { SANDBOX_DEFAULTS } from '../../shared/platform/config';
import type { BenchPerson } from '../pipeline/people';

/** One webhook delivery as the sender would make it: where to POST and what. */
export interface WebhookRequest {
  path: string;
  body: string;
}

/**
 * A calendar_event_change for a paired user, encrypted and signed as DingTalk does (sandbox/dingtalk/
 * callback-sender.ts). Every call makes a new event id, so the dedupe ledger sees a first delivery each time.
 */
export function dingtalkCallback(person: BenchPerson, sequence: number): WebhookRequest {
  const token = SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!;
  const now = Date.now();
  const payload = {
    EventType: 'calendar_event_change',
    CorpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
    BizId: randomBytes(8).toString('hex'),
    EventTime: now,
    CalendarEventUpdateTime: now,
    ChangeType: 'updated',
    CalendarId: Buffer.from(`${person.unionId}|primary`).toString('base64url'),
    CalendarEventId: `bench-ack-${sequence}-${randomBytes(6).toString('hex')}`,
    operator: { type: 'user' },
    UnionIdList: [person.unionId],
  };
  const encrypt = encryptPayload(
    JSON.stringify(payload),
    SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
    SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
  );
  const timestamp = String(now);
  const nonce = randomBytes(6).toString('base64url');
  const query = new URLSearchParams({
    signature: signatureOf(token, timestamp, nonce, encrypt),
    timestamp,
    nonce,
  });
  return { path: `/api/dingtalk/events?${query}`, body: JSON.stringify({ encrypt }) };
}

interface Subscription {
  id: string;
  clientState: string;
  resource: string;
  expirationDateTime: string;
  tenantId: string;
}

export function subscriptionsOf(graph: FakeGraph): Subscription[] {
  return graph.control.subscriptions().map((s) => ({
    id: String(s.id),
    clientState: String(s.clientState),
    resource: String(s.resource),
    expirationDateTime: String(s.expirationDateTime),
    tenantId: graph.tenantId,
  }));
}

/** One valid change notification for one of our subscriptions; a new item id each time. */
export function graphNotification(subscription: Subscription, sequence: number): WebhookRequest {
  const id = `bench-ack-${sequence}-${randomBytes(6).toString('hex')}`;
  const resource = `${subscription.resource.replace(/\/events$/i, '')}/Events/${id}`;
  const item = {
    subscriptionId: subscription.id,
    subscriptionExpirationDateTime: subscription.expirationDateTime,
    changeType: 'updated',
    resource,
    resourceData: {
      '@odata.type': '#Microsoft.Graph.Event',
      '@odata.id': resource,
      '@odata.etag': `W/"${id}"`,
      id,
    },
    clientState: subscription.clientState,
    tenantId: subscription.tenantId,
  };
  return { path: '/api/graph/notifications', body: JSON.stringify({ value: [item] }) };
}

/**
 * reauthorizationRequired, the lifecycle event Graph sends most and the costliest for us (the subscription row is
 * marked due as well). The expiry moves each time, so every one is a first delivery.
 */
export function graphLifecycle(subscription: Subscription, sequence: number): WebhookRequest {
  const expiry = new Date(Date.parse(subscription.expirationDateTime) + sequence * 1000).toISOString();
  const item = {
    subscriptionId: subscription.id,
    subscriptionExpirationDateTime: expiry,
    lifecycleEvent: 'reauthorizationRequired',
    clientState: subscription.clientState,
    tenantId: subscription.tenantId,
  };
  return { path: '/api/graph/lifecycle', body: JSON.stringify({ value: [item] }) };
}
