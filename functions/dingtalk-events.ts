import { app } from '@azure/functions';
import { handleDingTalkCallback } from '../shared/app/ingress-dingtalk';
import { webhookHandler } from '../shared/app/webhook-handler';

/** DingTalk HTTP event push. It must be answered within 1.5 s, so the work only records a hint. */
export const dingtalkEvents = webhookHandler(
  (ctx, input, context) =>
    handleDingTalkCallback(
      {
        ...ctx.stores,
        users: ctx.lookups.users,
        config: ctx.config,
        log: ctx.log.child({ invocationId: context.invocationId }),
        now: () => ctx.clock.now(),
      },
      input,
    ),
  (outcome) =>
    outcome.status === 200
      ? { status: 200, jsonBody: outcome.reply }
      : { status: outcome.status, jsonBody: { error: outcome.error } },
);

app.http('dingtalk-events', {
  route: 'dingtalk/events',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: dingtalkEvents,
});
