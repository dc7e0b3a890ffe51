import type { Stores } from '../store';
import type { UserPair } from '../store/types';
import type { Logger } from '../platform/logger';
import { FOLDERS } from './folders';
import { recordHint } from './hints';
import { TtlCache } from './ttl-cache';

/** A pair's row rarely changes; a stale one only sends a hint the worker then skips (as in ingress-lookups.ts). */
const PAIR_TTL_MS = 10 * 60_000;
const MISS_TTL_MS = 60_000;
const MAX_ENTRIES = 25_000;

/**
 * DingTalk has no external-contact event, so the organisation-wide listing of external contacts is the event: when
 * a refresh finds a follower's contacts changed, that follower's contact folder is pulled at once, instead of at
 * their next poll, which could come up to a whole interval after the refresh. The refresh costs the metered calls;
 * the pull reads the fresh listing and costs none.
 *
 * Cost per changed follower: a pair lookup (cached 10 minutes) and one queue message.
 */
export function contactChangeHints(deps: {
  stores: Pick<Stores, 'users' | 'workQueue'>;
  log: Logger;
  now: () => number;
}): (followers: string[]) => void {
  const pairs = new TtlCache<UserPair | undefined>(PAIR_TTL_MS, MAX_ENTRIES, deps.now, MISS_TTL_MS);
  const hint = async (userId: string) => {
    const pair = await pairs.get(userId, () => deps.stores.users.findByDingtalkUserId(userId));
    if (!pair || pair.status !== 'active' || !pair.enabledKinds.includes('contact')) return;
    await recordHint(
      { workQueue: deps.stores.workQueue },
      {
        pairId: pair.pairId,
        kind: 'contact',
        side: 'dingtalk',
        folder: FOLDERS.contact.dingtalk,
        reason: 'callback',
      },
      deps.now(),
    );
  };
  return (followers) => {
    for (const userId of followers) {
      hint(userId).catch((err: unknown) => {
        // The follower's own poll still sees the change, one interval later.
        deps.log.warn('could not hint a contact change', { error: err });
      });
    }
  };
}
