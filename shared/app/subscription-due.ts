import type { SubscriptionRepository } from '../store/repositories';
import { ConcurrencyError } from '../sync/types';

/** A renewal that lands between our read and our write moves the record on; read it again, a few times at most. */
const MAX_ATTEMPTS = 3;

/**
 * Marks a subscription as due for renewal (expiresAt = now), so the timer's next run renews it, or recreates it when
 * Graph has removed it. Asked for by a Graph lifecycle event (reauthorizationRequired, subscriptionRemoved) and done
 * by the worker that takes its queue message, not by the webhook: the ack then stores one queue message and nothing
 * else, and the message is deleted only once this has been stored, so a crash in between loses nothing.
 *
 * Nothing to do when the record is gone (removed or recreated meanwhile) or already due. A renewal that changed the
 * row since it was read is read again: if it moved the expiry on, the event is still answered by marking it due
 * (the renewal it raced may have used the token Graph asked to refresh).
 *
 * Operations: 1 read, + 2 writes (the record and its renewal-index entry) when it was not due yet.
 */
export async function markSubscriptionDue(
  subscriptions: Pick<SubscriptionRepository, 'get' | 'save'>,
  subscriptionId: string,
  now: number,
): Promise<'marked' | 'already-due' | 'gone'> {
  for (let attempt = 1; ; attempt++) {
    const record = await subscriptions.get(subscriptionId);
    if (!record) return 'gone';
    if (Date.parse(record.expiresAt) <= now) return 'already-due';
    try {
      await subscriptions.save({ ...record, expiresAt: new Date(now).toISOString() });
      return 'marked';
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}
