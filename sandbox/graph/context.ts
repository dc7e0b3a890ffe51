import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../shared/platform/clock';
import type { CalendarStore } from './calendar-store';
import type { Loopback } from './batch-routes';
import type { DeltaTracker } from './calendar-delta';
import type { Directory, FakeUser } from './directory';
import type { FaultInjector, MailboxConcurrency } from './faults';
import { sendGraphError } from './graph-errors';
import { preferences } from './http-util';
import type { IdentityService, IssuedToken } from './identity';
import type { MailDeltaTracker } from './mail-delta';
import type { MailOptions } from './mail-routes';
import type { MailStore } from './mail-store';
import type { UploadSessions } from './mail-upload';
import type { Notifier } from './notifier';
import type { SubscriptionStore } from './subscriptions';

/** The fake's services, shared by its route modules. */
export interface FakeGraphServices {
  clock: Clock;
  origin: () => string;
  identity: IdentityService;
  directory: Directory;
  calendar: CalendarStore;
  delta: DeltaTracker;
  mail: MailStore;
  mailDelta: MailDeltaTracker;
  mailUploads: UploadSessions;
  mailOptions: MailOptions;
  subscriptions: SubscriptionStore;
  notifier: Notifier;
  faults: FaultInjector;
  concurrency: MailboxConcurrency;
  /** Serves one $batch item as a request of its own (batch-routes.ts). */
  loopback?: Loopback;
}

/** One authenticated Graph request. */
export interface GraphRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Path below /v1.0, e.g. "/users/abc/events". */
  path: string;
  segments: string[];
  body: unknown;
  token: IssuedToken;
  prefer: Map<string, string>;
  immutableIds: boolean;
}

export function graphRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: unknown,
  token: IssuedToken,
): GraphRequest {
  const path = url.pathname.replace(/^\/v1\.0/, '') || '/';
  const prefer = preferences(req);
  return {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    body,
    token,
    prefer,
    immutableIds: (prefer.get('idtype') ?? '').toLowerCase() === 'immutableid',
  };
}

export function fail(
  services: FakeGraphServices,
  r: GraphRequest,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendGraphError(r.req, r.res, status, code, message, headers, services.clock.now());
}

/** Route handlers return true once the request is answered; this reads better than a comma expression. */
export const answered = (_sent: void): true => true;

export function hasRole(r: GraphRequest, roles: string[]): boolean {
  return roles.some((role) => r.token.roles.includes(role));
}

/** Resolves /users/{id|upn}; answers 404 the way Graph does when unknown. */
export function resolveUser(
  services: FakeGraphServices,
  r: GraphRequest,
  idOrUpn: string,
  needsMailbox: boolean,
): FakeUser | undefined {
  const user = services.directory.find(idOrUpn);
  if (!user) {
    if (needsMailbox)
      fail(services, r, 404, 'ErrorInvalidUser', `The requested user '${idOrUpn}' is invalid.`);
    else
      fail(
        services,
        r,
        404,
        'Request_ResourceNotFound',
        `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`,
      );
    return undefined;
  }
  if (needsMailbox && !user.hasMailbox) {
    fail(
      services,
      r,
      404,
      'MailboxNotEnabledForRESTAPI',
      'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
    );
    return undefined;
  }
  return user;
}
