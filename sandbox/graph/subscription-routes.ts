import { answered, fail, type FakeGraphServices, type GraphRequest } from './context';
import { sendEmpty, sendJson } from './http-util';
import { renderSubscription } from './subscriptions';

/** /subscriptions: POST (with validation handshake), GET list, GET/PATCH/DELETE one, POST reauthorize. */

export async function handleSubscriptions(s: FakeGraphServices, r: GraphRequest): Promise<boolean> {
  if (r.segments[0] !== 'subscriptions') return false;
  const context = `${s.origin()}/v1.0/$metadata#subscriptions`;
  const [, id, action] = r.segments;
  if (!id && r.method === 'POST') {
    const result = await s.subscriptions.create(r.body, r.token, r.immutableIds);
    if (!result.ok) return answered(reject(s, r, result.error));
    sendJson(r.res, 201, {
      '@odata.context': `${context}/$entity`,
      ...renderSubscription(result.subscription),
    });
    return true;
  }
  if (!id && r.method === 'GET') {
    sendJson(r.res, 200, {
      '@odata.context': context,
      value: s.subscriptions.list(r.token).map(renderSubscription),
    });
    return true;
  }
  if (id && action === 'reauthorize' && r.method === 'POST') {
    if (!s.subscriptions.get(id, r.token)) return answered(notFound(s, r, id));
    sendEmpty(r.res, 204);
    return true;
  }
  if (!id || action) return false;
  if (r.method === 'GET') {
    const sub = s.subscriptions.get(id, r.token);
    if (!sub) return answered(notFound(s, r, id));
    sendJson(r.res, 200, { '@odata.context': `${context}/$entity`, ...renderSubscription(sub) });
    return true;
  }
  if (r.method === 'PATCH') {
    const result = s.subscriptions.renew(id, r.body, r.token);
    if (!result.ok) return answered(reject(s, r, result.error));
    sendJson(r.res, 200, {
      '@odata.context': `${context}/$entity`,
      ...renderSubscription(result.subscription),
    });
    return true;
  }
  if (r.method === 'DELETE') {
    if (!s.subscriptions.delete(id, r.token)) return answered(notFound(s, r, id));
    sendEmpty(r.res, 204);
    return true;
  }
  return false;
}

function reject(
  s: FakeGraphServices,
  r: GraphRequest,
  e: { status: number; code: string; message: string },
): void {
  fail(s, r, e.status, e.code, e.message);
}

function notFound(s: FakeGraphServices, r: GraphRequest, id: string): void {
  fail(
    s,
    r,
    404,
    'ResourceNotFound',
    `The object was not found in the store. Subscription '${id}' does not exist.`,
  );
}
