import { app } from '@azure/functions';
import { graphIngressDeps, toHttpResponse } from '../shared/app/graph-webhook';
import { handleGraphNotifications } from '../shared/app/ingress-graph';
import { webhookHandler } from '../shared/app/webhook-handler';

/** Graph change notifications (and the validation handshake). Graph wants an answer within 3 s. */
export const graphNotifications = webhookHandler(
  (ctx, input, context) => handleGraphNotifications(graphIngressDeps(ctx, context), input),
  toHttpResponse,
);

app.http('graph-notifications', {
  route: 'graph/notifications',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: graphNotifications,
});
