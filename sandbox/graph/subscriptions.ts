import type { Clock } from '../../shared/platform/clock';
import type { Directory } from './directory';
import type { IssuedToken } from './identity';
import { newGuid } from './ids';
import { validateEndpoint } from './validation-handshake';

/**
 * Graph subscriptions with the service's rules: validated endpoints, resource formats, change types, lifetimes
 * per resource (raised to 45 min, capped at the resource maximum), clientState ≤ 128, one subscription per
 * resource + changeType, and expiry (an expired subscription is gone).
 */

export type ResourceKind = 'events' | 'messages' | 'contacts' | 'users';

export interface StoredSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  clientState: string | null;
  applicationId: string;
  creatorId: string;
  latestSupportedTlsVersion: string;
  /** Created with Prefer IdType="ImmutableId": its notifications carry immutable ids. */
  immutableIds: boolean;
  kind: ResourceKind;
  /** Mailbox owner for Outlook resources. */
  mailbox?: string;
  /** messages in one folder only (mailFolders('inbox')/messages, mailFolders/{id}/messages): the folder as given. */
  mailFolder?: string;
}

export interface SubscriptionError {
  status: number;
  code: string;
  message: string;
}

export type SubscriptionResult =
  { ok: true; subscription: StoredSubscription } | { ok: false; error: SubscriptionError };

const WRITABLE = new Set([
  'changeType',
  'notificationUrl',
  'lifecycleNotificationUrl',
  'resource',
  'expirationDateTime',
  'clientState',
  'latestSupportedTlsVersion',
  'includeResourceData',
  'encryptionCertificate',
  'encryptionCertificateId',
  'notificationUrlAppId',
  'notificationQueryOptions',
]);

const MAX_MINUTES: Record<ResourceKind, number> = {
  events: 10_080,
  messages: 10_080,
  contacts: 10_080,
  users: 41_760,
};
const MIN_MINUTES = 45;
const READ_ROLES: Record<ResourceKind, string[]> = {
  events: ['Calendars.Read', 'Calendars.ReadWrite', 'Calendars.ReadBasic.All'],
  messages: ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'],
  contacts: ['Contacts.Read', 'Contacts.ReadWrite'],
  users: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'],
};

const fail = (status: number, code: string, message: string): SubscriptionResult => ({
  ok: false,
  error: { status, code, message },
});

export interface SubscriptionRules {
  validationTimeoutMs: number;
}

export class SubscriptionStore {
  private readonly subscriptions = new Map<string, StoredSubscription>();

  constructor(
    private readonly clock: Clock,
    private readonly directory: Directory,
    private readonly rules: SubscriptionRules,
  ) {}

  async create(body: unknown, caller: IssuedToken, immutableIds: boolean): Promise<SubscriptionResult> {
    if (!body || typeof body !== 'object')
      return fail(400, 'InvalidRequest', 'Empty Payload. JSON content expected.');
    const input = body as Record<string, unknown>;
    for (const name of Object.keys(input)) {
      if (!name.startsWith('@odata.') && !WRITABLE.has(name)) {
        return fail(
          400,
          'RequestBodyRead',
          `The property '${name}' does not exist on type 'microsoft.graph.subscription'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        );
      }
    }
    for (const required of ['changeType', 'notificationUrl', 'resource', 'expirationDateTime']) {
      if (typeof input[required] !== 'string' || !input[required]) {
        return fail(400, 'InvalidRequest', `Subscription property '${required}' is required.`);
      }
    }
    if (input.includeResourceData === true) {
      return fail(
        400,
        'InvalidRequest',
        'This sandbox does not deliver rich notifications (includeResourceData).',
      );
    }
    const target = this.parseResource(input.resource as string);
    if ('error' in target) return { ok: false, error: target.error };
    if (!READ_ROLES[target.kind].some((r) => caller.roles.includes(r))) {
      return fail(
        403,
        'ExtensionError',
        'Operation: Create; Exception: [Status Code: Forbidden; Reason: The caller does not have permission to perform the action.]',
      );
    }
    const changeType = (input.changeType as string).trim();
    const problem = checkChangeType(changeType, target.kind);
    if (problem) return fail(400, 'InvalidRequest', problem);
    for (const name of ['notificationUrl', 'lifecycleNotificationUrl'] as const) {
      const url = input[name];
      if (url !== undefined && url !== null && !isAcceptedUrl(url as string)) {
        return fail(400, 'InvalidRequest', `The ${name} '${String(url)}' must be an https URL.`);
      }
    }
    const clientState = (input.clientState as string | undefined) ?? null;
    if (clientState !== null && (typeof clientState !== 'string' || clientState.length > 128)) {
      return fail(
        400,
        'InvalidRequest',
        "Subscription property 'clientState' must be a string of at most 128 characters.",
      );
    }
    const expiry = this.checkExpiry(input.expirationDateTime as string, target.kind);
    if ('error' in expiry) return { ok: false, error: expiry.error };
    this.purgeExpired();
    const duplicate = [...this.subscriptions.values()].find(
      (s) =>
        s.applicationId === caller.clientId &&
        normalizeResource(s.resource) === normalizeResource(input.resource as string) &&
        sameChangeTypes(s.changeType, changeType),
    );
    if (duplicate) {
      return fail(
        409,
        'Conflict',
        `Subscription Id ${duplicate.id} already exists for the requested combination`,
      );
    }
    const lifecycleUrl = (input.lifecycleNotificationUrl as string | undefined) ?? null;
    for (const url of [input.notificationUrl as string, ...(lifecycleUrl ? [lifecycleUrl] : [])]) {
      const handshake = await validateEndpoint(url, this.rules.validationTimeoutMs);
      if (!handshake.ok) return fail(400, 'InvalidRequest', handshake.message);
    }
    const subscription: StoredSubscription = {
      id: newGuid(),
      resource: input.resource as string,
      changeType,
      notificationUrl: input.notificationUrl as string,
      lifecycleNotificationUrl: lifecycleUrl,
      expirationDateTime: expiry.value,
      clientState,
      applicationId: caller.clientId,
      creatorId: caller.servicePrincipalId,
      latestSupportedTlsVersion: (input.latestSupportedTlsVersion as string | undefined) ?? 'v1_2',
      immutableIds,
      kind: target.kind,
      mailbox: target.mailbox,
      mailFolder: target.mailFolder,
    };
    this.subscriptions.set(subscription.id, subscription);
    return { ok: true, subscription };
  }

  renew(id: string, body: unknown, caller: IssuedToken): SubscriptionResult {
    const existing = this.get(id, caller);
    if (!existing)
      return fail(
        404,
        'ResourceNotFound',
        `The object was not found in the store. Subscription '${id}' does not exist.`,
      );
    const input = (body ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(input)) {
      if (
        ![
          'expirationDateTime',
          'notificationUrl',
          'encryptionCertificate',
          'encryptionCertificateId',
          'notificationUrlAppId',
        ].includes(name)
      ) {
        return fail(400, 'InvalidRequest', `Subscription property '${name}' cannot be updated.`);
      }
    }
    if (typeof input.expirationDateTime === 'string') {
      const expiry = this.checkExpiry(input.expirationDateTime, existing.kind);
      if ('error' in expiry) return { ok: false, error: expiry.error };
      existing.expirationDateTime = expiry.value;
    }
    if (typeof input.notificationUrl === 'string') {
      if (!isAcceptedUrl(input.notificationUrl))
        return fail(400, 'InvalidRequest', 'The notificationUrl must be an https URL.');
      existing.notificationUrl = input.notificationUrl;
    }
    return { ok: true, subscription: existing };
  }

  delete(id: string, caller: IssuedToken): boolean {
    const existing = this.get(id, caller);
    if (!existing) return false;
    this.subscriptions.delete(id);
    return true;
  }

  /** Removes a subscription as if Graph dropped it (e.g. permissions changed); returns it for the lifecycle event. */
  remove(id: string): StoredSubscription | undefined {
    const s = this.subscriptions.get(id);
    this.subscriptions.delete(id);
    return s;
  }

  get(id: string, caller?: IssuedToken): StoredSubscription | undefined {
    this.purgeExpired();
    const s = this.subscriptions.get(id);
    return s && (!caller || s.applicationId === caller.clientId) ? s : undefined;
  }

  list(caller?: IssuedToken): StoredSubscription[] {
    this.purgeExpired();
    return [...this.subscriptions.values()].filter((s) => !caller || s.applicationId === caller.clientId);
  }

  /** Active subscriptions on a mailbox's resource kind that want this change type. */
  matching(kind: ResourceKind, mailbox: string, changeType: string): StoredSubscription[] {
    return this.list().filter(
      (s) =>
        s.kind === kind &&
        s.mailbox === mailbox &&
        s.changeType
          .split(',')
          .map((c) => c.trim())
          .includes(changeType),
    );
  }

  private purgeExpired(): void {
    const now = this.clock.now();
    for (const [id, s] of this.subscriptions)
      if (Date.parse(s.expirationDateTime) <= now) this.subscriptions.delete(id);
  }

  private checkExpiry(value: string, kind: ResourceKind): { value: string } | { error: SubscriptionError } {
    const at = Date.parse(value);
    const now = this.clock.now();
    const max = MAX_MINUTES[kind];
    if (!Number.isFinite(at)) {
      return {
        error: {
          status: 400,
          code: 'InvalidRequest',
          message: `Cannot convert '${value}' to Edm.DateTimeOffset.`,
        },
      };
    }
    if (at <= now) {
      return {
        error: {
          status: 400,
          code: 'InvalidRequest',
          message: 'Subscription expiration must be in the future.',
        },
      };
    }
    if (at > now + max * 60_000) {
      return {
        error: {
          status: 400,
          code: 'InvalidRequest',
          message: `Subscription expiration can only be ${max} minutes in the future.`,
        },
      };
    }
    const raised = Math.max(at, now + MIN_MINUTES * 60_000);
    return { value: new Date(raised).toISOString().replace('Z', '0000Z') };
  }

  private parseResource(
    resource: string,
  ): { kind: ResourceKind; mailbox?: string; mailFolder?: string } | { error: SubscriptionError } {
    const r = resource.replace(/^\//, '');
    const bad = (status: number, code: string, message: string) => ({ error: { status, code, message } });
    if (/^me(\/|$)/i.test(r)) {
      return bad(
        400,
        'ExtensionError',
        "Operation: Create; Exception: [Status Code: BadRequest; Reason: '/me' requests are not supported with application permissions.]",
      );
    }
    if (/^users\/[^/]+\/todo\//i.test(r)) {
      return bad(
        403,
        'ExtensionError',
        'Operation: Create; Exception: [Status Code: Forbidden; Reason: todoTask subscriptions are not supported with application permissions.]',
      );
    }
    if (/^users\/?$/i.test(r)) return { kind: 'users' };
    const m = /^users\/([^/?]+)(\/.*)?$/i.exec(r);
    if (!m) return bad(400, 'InvalidRequest', `Resource '${resource}' is not supported for subscriptions.`);
    const user = this.directory.find(decodeURIComponent(m[1]));
    const rest = (m[2] ?? '').toLowerCase();
    let kind: ResourceKind | undefined;
    if (rest === '') kind = 'users';
    else if (/^\/(events|calendar\/events|calendars\/[^/]+\/events)$/.test(rest)) kind = 'events';
    else if (/^\/(messages|mailfolders(\('[^']+'\)|\/[^/]+)\/messages)$/.test(rest)) kind = 'messages';
    else if (/^\/(contacts|contactfolders(\('[^']+'\)|\/[^/]+)\/contacts)$/.test(rest)) kind = 'contacts';
    if (!kind)
      return bad(400, 'InvalidRequest', `Resource '${resource}' is not supported for subscriptions.`);
    if (!user) return bad(404, 'ResourceNotFound', `Resource not found for the segment '${m[1]}'.`);
    if (kind !== 'users' && !user.hasMailbox) {
      return bad(
        404,
        'MailboxNotEnabledForRESTAPI',
        'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      );
    }
    const folder =
      kind === 'messages' ? /^\/mailFolders(?:\('([^']+)'\)|\/([^/]+))\/messages$/i.exec(m[2] ?? '') : null;
    return {
      kind,
      mailbox: kind === 'users' ? undefined : user.id,
      mailFolder: folder ? decodeURIComponent(folder[1] ?? folder[2]) : undefined,
    };
  }
}

function checkChangeType(changeType: string, kind: ResourceKind): string | undefined {
  const parts = changeType.split(',').map((p) => p.trim());
  const allowed = kind === 'users' ? ['updated', 'deleted'] : ['created', 'updated', 'deleted'];
  for (const p of parts) {
    if (!allowed.includes(p))
      return `Invalid 'changeType' value '${p}'. Allowed values for this resource: ${allowed.join(', ')}.`;
  }
  return undefined;
}

function isAcceptedUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    // Sandbox deviation: the local Functions host speaks plain http on loopback.
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

const normalizeResource = (r: string) => r.replace(/^\//, '').toLowerCase();
const sameChangeTypes = (a: string, b: string) =>
  a
    .split(',')
    .map((x) => x.trim())
    .sort()
    .join(',') ===
  b
    .split(',')
    .map((x) => x.trim())
    .sort()
    .join(',');

export function renderSubscription(s: StoredSubscription): Record<string, unknown> {
  return {
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType,
    clientState: s.clientState,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    expirationDateTime: s.expirationDateTime,
    creatorId: s.creatorId,
    includeResourceData: null,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}
