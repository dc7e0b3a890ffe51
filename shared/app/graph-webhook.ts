import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import type { AppContext } from './context';
import type { GraphIngressDeps, GraphWebhookOutcome } from './ingress-graph';

export function graphIngressDeps(ctx: AppContext, context: InvocationContext): GraphIngressDeps {
  return {
    ...ctx.stores,
    subscriptions: { get: ctx.lookups.subscriptions.get },
    log: ctx.log.child({ invocationId: context.invocationId }),
    now: () => ctx.clock.now(),
  };
}

export function toHttpResponse(outcome: GraphWebhookOutcome): HttpResponseInit {
  if (outcome.status === 200) {
    // text/plain and nosniff: the echoed token must never be interpreted as markup.
    return {
      status: 200,
      body: outcome.body,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    };
  }
  if (outcome.status === 202) return { status: 202 };
  return { status: outcome.status, jsonBody: { error: outcome.error } };
}
