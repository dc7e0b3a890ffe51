import { NotFoundRemoteError } from '../../sync/types';
import type { GraphApi } from './http-client';
import type { GraphCollection, GraphSubscription } from './wire-types';

/**
 * Graph change-notification subscriptions. Created with Prefer IdType="ImmutableId" (added by the client's
 * middleware) so notifications carry immutable ids; that choice cannot be changed on an existing subscription.
 */

export interface NewSubscription {
  /** e.g. "users/{id}/events" (no leading slash, no base URL). */
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  expirationDateTime: string;
  /** Secret echoed in every notification; ≤ 128 characters. */
  clientState: string;
}

/** Longest lifetime Graph grants per resource kind, in minutes (Microsoft Graph's documentation). */
export function maxLifetimeMinutes(resource: string): number {
  const r = resource.replace(/^\//, '').toLowerCase();
  if (/^(users|me)\/[^/]+\/(messages|events|contacts|mailfolders|contactfolders|calendars?)/.test(r))
    return 10_080;
  if (/\/todo\//.test(r)) return 4_230;
  if (/^(users|groups)(\/[^/]+)?$/.test(r)) return 41_760;
  return 4_230;
}

/** An expiry comfortably inside the maximum, so request transit and clock skew never push it over. */
export function expiryFor(resource: string, nowMs: number, safetyMinutes = 15): string {
  return new Date(nowMs + (maxLifetimeMinutes(resource) - safetyMinutes) * 60_000).toISOString();
}

export class GraphSubscriptionsApi {
  constructor(private readonly api: GraphApi) {}

  create(input: NewSubscription): Promise<GraphSubscription> {
    if (input.clientState.length > 128) throw new Error('clientState must be at most 128 characters');
    const body: Record<string, unknown> = {
      changeType: input.changeType,
      notificationUrl: input.notificationUrl,
      resource: input.resource,
      expirationDateTime: input.expirationDateTime,
      clientState: input.clientState,
      latestSupportedTlsVersion: 'v1_2',
    };
    if (input.lifecycleNotificationUrl) body.lifecycleNotificationUrl = input.lifecycleNotificationUrl;
    return this.api.post<GraphSubscription>('/subscriptions', body, { what: 'create subscription' });
  }

  /** Extends the subscription; renewing also reauthorizes it. Throws NotFoundRemoteError when Graph removed it. */
  renew(id: string, expirationDateTime: string): Promise<GraphSubscription> {
    return this.api.patch<GraphSubscription>(
      `/subscriptions/${encodeURIComponent(id)}`,
      { expirationDateTime },
      { what: 'renew subscription' },
    );
  }

  reauthorize(id: string): Promise<void> {
    return this.api.post<void>(`/subscriptions/${encodeURIComponent(id)}/reauthorize`, undefined, {
      what: 'reauthorize subscription',
    });
  }

  /** Deleting one that is already gone counts as done. */
  async delete(id: string): Promise<void> {
    try {
      await this.api.delete(`/subscriptions/${encodeURIComponent(id)}`, { what: 'delete subscription' });
    } catch (err) {
      if (!(err instanceof NotFoundRemoteError)) throw err;
    }
  }

  async list(): Promise<GraphSubscription[]> {
    const all: GraphSubscription[] = [];
    let next: string | undefined = '/subscriptions';
    while (next) {
      const page: GraphCollection<GraphSubscription> = await this.api.get(next, {
        what: 'list subscriptions',
      });
      all.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return all;
  }
}
