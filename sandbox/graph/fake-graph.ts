import { readFileSync } from 'node:fs';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { systemClock, type Clock } from '../../shared/platform/clock';
import { serveAdminConsent } from './admin-consent';
import { handleBatch, type Loopback } from './batch-routes';
import { CalendarStore } from './calendar-store';
import { DeltaTracker } from './calendar-delta';
import { handleCalendar } from './calendar-routes';
import { handleContacts, isContactPhotoUpload } from './contact-routes';
import { graphRequest, fail, type FakeGraphServices } from './context';
import { FakeGraphControl, target, type CapturedRequest } from './control';
import { handleControl } from './control-routes';
import { Directory, type NewFakeUser } from './directory';
import { errorFor, FaultInjector, MailboxConcurrency, type FaultRule } from './faults';
import { sendAadError, sendGraphError } from './graph-errors';
import { readBodyBytes, sendJson, sleep } from './http-util';
import { IdentityService, type AppRegistration } from './identity';
import { toRestId } from './ids';
import { MailDeltaTracker } from './mail-delta';
import { notifyMailChange } from './mail-notify';
import { handleMail } from './mail-routes';
import { handleMailboxSettings } from './mailbox-settings-routes';
import { MailStore } from './mail-store';
import { UPLOAD_PATH_PREFIX, UploadSessions } from './mail-upload';
import { Notifier } from './notifier';
import { serveOpenIdConfiguration } from './openid-configuration';
import { handleSubscriptions } from './subscription-routes';
import { SubscriptionStore } from './subscriptions';
import { handleTodo } from './todo-routes';
import { handleUsers } from './users-routes';

/**
 * A fake of the Microsoft identity platform (client-credentials token endpoint) and of the Graph v1.0 surface
 * this project uses, over HTTPS like the real one. See docs/graph.md for what it covers and where it deviates.
 */

export interface FakeGraphOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  clock?: Clock;
  /** PEM cert and key; default: the files named by SANDBOX_TLS_CERT / SANDBOX_TLS_KEY. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Tenant GUID (what notifications and tokens carry) and other names the token endpoint accepts. */
  tenantId?: string;
  tenantAliases?: string[];
  /** Registered apps; default: the sandbox app from shared/platform/config.ts with every permission it needs. */
  apps?: AppRegistration[];
  users?: NewFakeUser[];
  /** Access token lifetime (Graph: 3599 s). */
  tokenLifetimeSeconds?: number;
  /** Deadline for the validation handshake (Graph: 10 s). */
  validationTimeoutMs?: number;
  /** Concurrent requests per mailbox before 429 MailboxConcurrency (Outlook: 4). */
  mailboxConcurrencyLimit?: number;
  notificationTimeoutMs?: number;
  notificationRetries?: number;
  notificationRetryDelayMs?: number;
  /** Most requests remembered for inspection. */
  maxCapturedRequests?: number;
  /** Attachments (POST or upload session) on a message that is not a draft: unverified on Graph; default accept. */
  mailAttachmentsOnNonDraft?: 'accept' | 'reject';
}

export interface FakeGraph {
  /** https://127.0.0.1:<port>: both the authority host and the Graph base URL. */
  url: string;
  port: number;
  tenantId: string;
  control: FakeGraphControl;
  services: FakeGraphServices;
  stop(): Promise<void>;
}

export const SANDBOX_TENANT_ID = '6c3a1d2e-8f4b-4c7a-9e1d-3b5f7a9c2e40';

export const SANDBOX_APP: AppRegistration = {
  clientId: 'sandbox-client',
  clientSecret: 'sandbox-graph-secret',
  roles: [
    'Calendars.ReadWrite',
    'Mail.ReadWrite',
    'Mail.Read',
    'Contacts.ReadWrite',
    'Tasks.ReadWrite.All',
    'User.Read.All',
  ],
};

const MAILBOX_PATH =
  /^\/v1\.0\/users\/([^/]+)\/(events|calendar|calendars|calendarView|messages|mailFolders|contacts|contactFolders|todo|mailboxSettings)(\/|$)/i;

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const clock = options.clock ?? systemClock;
  const tenantId = options.tenantId ?? SANDBOX_TENANT_ID;
  const identity = new IdentityService(
    clock,
    tenantId,
    options.tenantAliases ?? ['sandbox-tenant'],
    options.tokenLifetimeSeconds ?? 3599,
  );
  for (const app of options.apps ?? [SANDBOX_APP]) identity.registerApp(app);
  const directory = new Directory();
  for (const u of options.users ?? []) directory.add(u);
  const calendar = new CalendarStore(clock);
  const mail = new MailStore(clock);
  let origin = '';
  const services: FakeGraphServices = {
    clock,
    origin: () => origin,
    identity,
    directory,
    calendar,
    delta: new DeltaTracker(calendar),
    mail,
    mailDelta: new MailDeltaTracker(mail),
    mailUploads: new UploadSessions(clock, mail, () => origin),
    mailOptions: { attachmentsOnNonDraft: options.mailAttachmentsOnNonDraft ?? 'accept' },
    subscriptions: new SubscriptionStore(clock, directory, {
      validationTimeoutMs: options.validationTimeoutMs ?? 10_000,
    }),
    notifier: new Notifier({
      tenantId,
      timeoutMs: options.notificationTimeoutMs ?? 10_000,
      retries: options.notificationRetries ?? 2,
      retryDelayMs: options.notificationRetryDelayMs ?? 200,
    }),
    faults: new FaultInjector(),
    concurrency: new MailboxConcurrency(options.mailboxConcurrencyLimit ?? 4),
  };
  const control = new FakeGraphControl(services);
  const maxCaptured = options.maxCapturedRequests ?? 5000;

  calendar.onChange((mailbox, changeType, event) => {
    for (const sub of services.subscriptions.matching('events', mailbox, changeType)) {
      const id = sub.immutableIds ? event.id : toRestId(event.id);
      const resource = `Users/${mailbox}/Events/${id}`;
      services.notifier.change(target(sub), {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: sub.expirationDateTime,
        changeType,
        resource,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Event',
          '@odata.id': resource,
          '@odata.etag': `W/"${event.changeKey}"`,
          id,
        },
        clientState: sub.clientState,
        tenantId,
      });
    }
  });

  mail.onChange((change) => notifyMailChange(services, tenantId, change));

  const tls = options.tls ?? sandboxTls();
  services.loopback = loopbackTo(() => origin, tls.cert);
  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    handle(services, control, maxCaptured, req, res).catch((err) => {
      sendGraphError(req, res, 500, 'generalException', `Fake Graph failed: ${(err as Error).message}`);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `https://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url: origin,
    port,
    tenantId,
    control,
    services,
    stop: async () => {
      services.notifier.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

async function handle(
  s: FakeGraphServices,
  control: FakeGraphControl,
  maxCaptured: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', s.origin());
  const method = (req.method ?? 'GET').toUpperCase();
  const read =
    method === 'GET' || method === 'DELETE'
      ? { bytes: Buffer.alloc(0), tooLarge: false }
      : await readBodyBytes(req);
  const raw = read.bytes.toString('utf8');

  if (serveAdminConsent(s, method, url, raw, res)) return;
  if (url.pathname.startsWith('/_control/')) {
    return handleControl(control, s.clock, req, res, url, parseJson(raw));
  }
  // Graph refuses any request over 4 MB ("The maximum request length supported is 4MB.",
  // microsoft-graph-docs#11806; status 413 as seen by clients, e.g. python-o365#308).
  if (read.tooLarge)
    return sendGraphError(
      req,
      res,
      413,
      'BadRequest',
      'The maximum request length supported is 4MB.',
      {},
      s.clock.now(),
    );
  if (url.pathname.startsWith(UPLOAD_PATH_PREFIX)) return s.mailUploads.handle(req, res, url, read.bytes);

  if (method === 'GET' && serveOpenIdConfiguration(s, url, res)) return;
  const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
  const fault = s.faults.take(method, url.pathname + url.search);
  if (tokenPath && method === 'POST') {
    if (fault && (await applyFault(s, fault, req, res))) return;
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const result = s.identity.issue(decodeURIComponent(tokenPath[1]), new URLSearchParams(isForm ? raw : ''));
    if (!result.ok) return sendAadError(res, result.error, s.clock.now());
    return sendJson(res, 200, result.body);
  }
  if (!url.pathname.startsWith('/v1.0/')) {
    return sendGraphError(
      req,
      res,
      404,
      'BadRequest',
      `Resource not found for the segment '${url.pathname.split('/')[1] ?? ''}'.`,
    );
  }

  const binary = isContactPhotoUpload(method, url.pathname);
  const body = binary ? read.bytes : raw ? parseJson(raw) : undefined;
  capture(control, maxCaptured, req, res, url, binary ? `(${read.bytes.length} bytes)` : body);
  if (!binary && raw && body === undefined) {
    return sendGraphError(
      req,
      res,
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }

  const auth = s.identity.check(req.headers.authorization);
  if (!auth.ok)
    return sendGraphError(req, res, 401, 'InvalidAuthenticationToken', auth.message, {}, s.clock.now());

  const mailboxMatch = MAILBOX_PATH.exec(url.pathname);
  const mailbox = mailboxMatch ? s.directory.find(decodeURIComponent(mailboxMatch[1]))?.id : undefined;
  if (mailbox) {
    if (!s.concurrency.tryEnter(mailbox)) {
      return sendGraphError(
        req,
        res,
        429,
        'ApplicationThrottled',
        'Application is over its MailboxConcurrency limit.',
        { 'retry-after': '1' },
      );
    }
    res.on('close', () => s.concurrency.leave(mailbox));
  }
  if (fault && (await applyFault(s, fault, req, res))) return;

  const r = graphRequest(req, res, url, body, auth.token);
  if (s.loopback && (await handleBatch(s, r, s.loopback))) return;
  if (handleUsers(s, r)) return;
  if (handleMailboxSettings(s, r)) return;
  if (await handleSubscriptions(s, r)) return;
  if (handleCalendar(s, r)) return;
  if (await handleMail(s, r)) return;
  if (handleTodo(s, r)) return;
  if (await handleContacts(s, r)) return;
  fail(
    s,
    r,
    400,
    'BadRequest',
    `Resource not found for the segment '${r.segments[r.segments.length - 1] ?? ''}'.`,
  );
}

/** True when the fault answered (or swallowed) the request. */
async function applyFault(
  s: FakeGraphServices,
  rule: FaultRule,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (rule.hang) return true;
  if (rule.latencyMs) await sleep(rule.latencyMs);
  if (rule.status === undefined) return false;
  const { code, message } = errorFor(rule);
  const headers: Record<string, string> =
    rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : {};
  sendGraphError(req, res, rule.status, code, message, headers, s.clock.now());
  return true;
}

function capture(
  control: FakeGraphControl,
  max: number,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: unknown,
): CapturedRequest {
  const headers: Record<string, string> = {};
  for (const name of ['prefer', 'content-type', 'client-request-id', 'sdkversion']) {
    const v = req.headers[name];
    if (v) headers[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  headers.authorization = req.headers.authorization ? 'Bearer (present)' : '';
  const entry: CapturedRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.search,
    headers,
    body,
  };
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    entry.status = res.statusCode;
    if (typeof args[0] === 'string' && args[0]) entry.response = parseJson(args[0]);
    return end(...args);
  }) as typeof res.end;
  control.requests.push(entry);
  if (control.requests.length > max) control.requests.splice(0, control.requests.length - max);
  return entry;
}

function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** One request to this fake itself over its own HTTPS, trusting its own certificate: how $batch items are served. */
function loopbackTo(origin: () => string, cert: string | Buffer): Loopback {
  return (item) =>
    new Promise((resolve, reject) => {
      const url = new URL(item.path, origin());
      const req = httpsRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: item.method,
          headers: {
            ...item.headers,
            ...(item.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(item.body)) }),
          },
          ca: cert,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const headers: Record<string, string> = {};
            for (const name of ['content-type', 'retry-after', 'location', 'etag']) {
              const v = res.headers[name];
              if (typeof v === 'string') headers[name] = v;
            }
            resolve({
              status: res.statusCode ?? 500,
              headers,
              body: text ? (parseJson(text) ?? text) : undefined,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(item.body);
    });
}

function sandboxTls(): { cert: Buffer; key: Buffer } {
  const certFile = process.env.SANDBOX_TLS_CERT;
  const keyFile = process.env.SANDBOX_TLS_KEY;
  if (!certFile || !keyFile) {
    throw new Error(
      'The fake Graph serves HTTPS and needs SANDBOX_TLS_CERT and SANDBOX_TLS_KEY: run through scripts/with-sandbox-tls.js, or pass options.tls.',
    );
  }
  return { cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
