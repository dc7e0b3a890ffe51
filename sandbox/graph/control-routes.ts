import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphLifecycleEvent } from '../../shared/connectors/graph/wire-types';
import type { Clock } from '../../shared/platform/clock';
import type { FakeGraphControl } from './control';
import { sendEmpty, sendJson } from './http-util';

/**
 * The control API over HTTP for the demo and for other processes (/_control/...). Not part of Graph; no auth.
 *
 *   POST   /_control/users                         {userPrincipalName, displayName?, mail?, proxyAddresses?}
 *   GET    /_control/users
 *   PUT    /_control/users/{user}/mailbox          {hasMailbox}  (false: MailboxNotEnabledForRESTAPI)
 *   POST   /_control/users/{user}/events           event JSON (as the user in Outlook)
 *   PATCH  /_control/users/{user}/events/{id}      partial event JSON
 *   DELETE /_control/users/{user}/events/{id}
 *   GET    /_control/users/{user}/events
 *   POST   /_control/faults                        {method?, path? (RegExp source), count?, status?, retryAfterSeconds?, code?, latencyMs?, hang?}
 *   GET    /_control/faults    DELETE /_control/faults
 *   POST   /_control/notifications                 {action: drop|duplicate|delay|hold|release, count?, ms?, order?}
 *   GET    /_control/notifications                 deliveries so far
 *   POST   /_control/delta/expire                  {user?}
 *   GET    /_control/subscriptions
 *   POST   /_control/subscriptions/{id}/remove
 *   POST   /_control/subscriptions/{id}/lifecycle  {event: reauthorizationRequired|missed|subscriptionRemoved}
 *   POST   /_control/tokens/revoke
 *   GET    /_control/requests  DELETE /_control/requests
 *   GET    /_control/stats
 *   POST   /_control/clock/advance                 {ms}  (only with a clock that can advance)
 */

export async function handleControl(
  control: FakeGraphControl,
  clock: Clock,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: unknown,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const input = (body ?? {}) as Record<string, unknown>;
  const isId = (i: number) =>
    (i === 1 && ['users', 'subscriptions'].includes(parts[0])) || (i === 3 && parts[2] === 'events');
  const route = `${method} /${parts.map((p, i) => (isId(i) ? ':id' : p)).join('/')}`;
  try {
    switch (route) {
      case 'POST /users':
        return sendJson(res, 201, control.addUser(input as never));
      case 'GET /users':
        return sendJson(res, 200, { value: control.users() });
      case 'PUT /users/:id/mailbox':
        return sendJson(res, 200, control.setMailbox(parts[1], input.hasMailbox === true));
      case 'POST /users/:id/events':
        return sendJson(res, 201, control.createEvent(parts[1], input));
      case 'GET /users/:id/events':
        return sendJson(res, 200, { value: control.listEvents(parts[1]) });
      case 'PATCH /users/:id/events/:id':
        return sendJson(res, 200, control.updateEvent(parts[1], parts[3], input));
      case 'DELETE /users/:id/events/:id':
        return control.deleteEvent(parts[1], parts[3])
          ? sendEmpty(res, 204)
          : sendJson(res, 404, { error: 'no such event' });
      case 'POST /faults':
        return sendJson(
          res,
          201,
          control.addFault({
            ...input,
            path: typeof input.path === 'string' ? new RegExp(input.path) : undefined,
          }),
        );
      case 'GET /faults':
        return sendJson(res, 200, {
          value: control.faults().map((f) => ({ ...f, path: String(f.path ?? '') })),
        });
      case 'DELETE /faults':
        control.clearFaults();
        return sendEmpty(res, 204);
      case 'POST /notifications':
        await steerNotifications(control, input);
        return sendEmpty(res, 204);
      case 'GET /notifications':
        return sendJson(res, 200, { value: control.deliveries() });
      case 'POST /delta/expire':
        control.expireDeltaTokens(input.user as string | undefined);
        return sendEmpty(res, 204);
      case 'GET /subscriptions':
        return sendJson(res, 200, { value: control.subscriptions() });
      case 'POST /subscriptions/:id/remove':
        return control.removeSubscription(parts[1])
          ? sendEmpty(res, 204)
          : sendJson(res, 404, { error: 'no such subscription' });
      case 'POST /subscriptions/:id/lifecycle':
        return control.sendLifecycle(parts[1], input.event as GraphLifecycleEvent)
          ? sendEmpty(res, 204)
          : sendJson(res, 404, { error: 'no such subscription' });
      case 'POST /tokens/revoke':
        control.revokeTokens();
        return sendEmpty(res, 204);
      case 'GET /requests':
        return sendJson(res, 200, { value: control.requests });
      case 'DELETE /requests':
        control.clearRequests();
        return sendEmpty(res, 204);
      case 'GET /stats':
        return sendJson(res, 200, {
          tokenRequests: control.tokenRequests(),
          mailboxRejections: control.mailboxRejections(),
          maxInFlight: Object.fromEntries(
            control.users().map((u) => [u.id, control.mailboxMaxInFlight(u.id)]),
          ),
        });
      case 'POST /clock/advance': {
        const advance = (clock as { advance?: (ms: number) => void }).advance;
        if (!advance) return sendJson(res, 409, { error: 'the fake runs on the system clock' });
        advance.call(clock, Number(input.ms));
        return sendEmpty(res, 204);
      }
      default:
        return sendJson(res, 404, { error: `unknown control route ${route}` });
    }
  } catch (err) {
    sendJson(res, 400, { error: (err as Error).message });
  }
}

async function steerNotifications(control: FakeGraphControl, input: Record<string, unknown>): Promise<void> {
  const count = Number(input.count ?? 1);
  switch (input.action) {
    case 'drop':
      return control.dropNotifications(count);
    case 'duplicate':
      return control.duplicateNotifications(count);
    case 'delay':
      return control.delayNotifications(count, Number(input.ms ?? 1000));
    case 'hold':
      return control.holdNotifications();
    case 'release':
      return control.releaseNotifications(input.order === 'reverse' ? 'reverse' : 'fifo');
    default:
      throw new Error(`unknown notification action ${String(input.action)}`);
  }
}
