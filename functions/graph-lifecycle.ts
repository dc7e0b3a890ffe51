import { app } from '@azure/functions';
import { graphIngressDeps, toHttpResponse } from '../shared/app/graph-webhook';
import { handleGraphLifecycle } from '../shared/app/ingress-graph';
import { webhookHandler } from '../shared/app/webhook-handler';

/** Graph lifecycle notifications: reauthorizationRequired, subscriptionRemoved, missed. */
export const graphLifecycle = webhookHandler(
  (ctx, input, context) => handleGraphLifecycle(graphIngressDeps(ctx, context), input),
  toHttpResponse,
);

app.http('graph-lifecycle', {
  route: 'graph/lifecycle',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: graphLifecycle,
});
