import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { toHttpResponse } from '../shared/app/graph-webhook-response';
import { handleGraphNotifications } from '../shared/app/ingress-graph';
import { readBodyCapped } from '../shared/app/http-body';

/** Graph change notifications (and the validation handshake). Graph wants an answer within 3 s. */
export async function graphNotifications(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const ctx = getAppContext();
  const body = await readBodyCapped(request);
  if (body === undefined) return { status: 413, jsonBody: { error: 'body too large' } };
  const outcome = await handleGraphNotifications(
    { ...ctx.stores, log: ctx.log.child({ invocationId: context.invocationId }), now: () => ctx.clock.now() },
    { query: request.query, contentType: request.headers.get('content-type') ?? undefined, body },
  );
  return toHttpResponse(outcome);
}

app.http('graph-notifications', {
  route: 'graph/notifications',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: graphNotifications,
});
