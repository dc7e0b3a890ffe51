import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { handleDingTalkCallback } from '../shared/app/ingress-dingtalk';
import { readBodyCapped } from '../shared/app/http-body';

/** DingTalk HTTP event push. It must be answered within 1.5 s, so the work only records a hint. */
export async function dingtalkEvents(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const ctx = getAppContext();
  const body = await readBodyCapped(request);
  if (body === undefined) return { status: 413, jsonBody: { error: 'body too large' } };
  const outcome = await handleDingTalkCallback(
    {
      ...ctx.stores,
      config: ctx.config,
      log: ctx.log.child({ invocationId: context.invocationId }),
      now: () => ctx.clock.now(),
    },
    { query: request.query, contentType: request.headers.get('content-type') ?? undefined, body },
  );
  if (outcome.status !== 200) return { status: outcome.status, jsonBody: { error: outcome.error } };
  return { status: 200, jsonBody: outcome.reply };
}

app.http('dingtalk-events', {
  route: 'dingtalk/events',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: dingtalkEvents,
});
