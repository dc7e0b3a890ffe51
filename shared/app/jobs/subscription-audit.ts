import type { Logger } from '../../platform/logger';
import type { SubscriptionRepository, UserRepository } from '../../store/repositories';
import { desiredSubscriptions, needsRenewal, WriteBudget, type SubscriptionsPort } from '../subscriptions';

export interface SubscriptionAuditDeps {
  users: Pick<UserRepository, 'list'>;
  subscriptions: Pick<SubscriptionRepository, 'listAll' | 'save' | 'markPending' | 'listPending'>;
  graph: Pick<SubscriptionsPort, 'list' | 'delete'>;
  log: Logger;
  now: () => number;
  publicBaseUrl: string;
  expiryFor: (resource: string, now: number) => string;
}

export interface SubscriptionAuditReport {
  /** Pairs whose subscriptions did not match the pair, handed to the per-minute upkeep. */
  pendingMarked: number;
  /** Records due for renewal that the renewal index had lost, put back into it. */
  reindexed: number;
  orphansDeleted: number;
}

const DAY_MS = 24 * 3600e3;
/** Later than any pending entry's time: every pending pair, also those waiting after a failure. */
const LAST_TIME = Date.parse('9999-12-31T23:59:59.999Z');
/** An unrecorded subscription younger than this may belong to a run that is still recording it. */
const ORPHAN_MIN_AGE_MS = 10 * 60_000;
/**
 * Orphans are rare (a run that died between Graph's create and our save); deleting at most this many a day keeps
 * the audit far inside Graph's subscription write limit even when it shares a 20-s window with a full upkeep run.
 */
export const MAX_ORPHAN_DELETES_PER_RUN = 100;

/**
 * The daily safety net behind the per-minute upkeep, which only reads what is due: compares every pair with every
 * subscription record and marks the pairs that do not match as pending (a pairing run that died before marking
 * them, a pending entry lost), puts records whose renewal index entry was lost back into the index, and deletes
 * orphans (ours at Graph, unknown to the table). Reads whole tables and Graph's whole list, so it runs daily.
 */
export async function auditSubscriptions(deps: SubscriptionAuditDeps): Promise<SubscriptionAuditReport> {
  const [pairs, records, pending] = await Promise.all([
    deps.users.list(),
    deps.subscriptions.listAll(),
    deps.subscriptions.listPending(LAST_TIME, Infinity),
  ]);
  // Pairs already waiting for the upkeep (a rollout in progress) are left alone.
  const waiting = new Set(pending.map((p) => p.pairId));
  const now = deps.now();

  const resourcesOf = new Map<string, string[]>();
  for (const record of records) {
    resourcesOf.set(record.pairId, [...(resourcesOf.get(record.pairId) ?? []), record.resource]);
  }
  const activeIds = new Set<string>();
  const outOfLine = new Set<string>();
  for (const pair of pairs) {
    if (pair.status !== 'active') continue;
    activeIds.add(pair.pairId);
    const want = desiredSubscriptions(pair).map((d) => d.resource);
    const have = resourcesOf.get(pair.pairId) ?? [];
    if (want.length !== have.length || want.some((r) => !have.includes(r))) outOfLine.add(pair.pairId);
  }
  for (const pairId of resourcesOf.keys()) if (!activeIds.has(pairId)) outOfLine.add(pairId);
  for (const pairId of waiting) outOfLine.delete(pairId);
  await deps.subscriptions.markPending([...outOfLine]);
  if (outOfLine.size > 0)
    deps.log.info('subscriptions out of line with their pairs', { pairs: outOfLine.size });

  // Renewals due a day or more ago would have been served from the index: their entry is missing. Saving the
  // record unchanged writes its entry again, and the next upkeep run renews it.
  let reindexed = 0;
  const aDayAgo = now - DAY_MS;
  for (const record of records) {
    if (!needsRenewal(record, aDayAgo)) continue;
    await deps.subscriptions.save(record);
    reindexed++;
  }

  const known = new Set(records.map((r) => r.subscriptionId));
  const orphansDeleted = await deleteOrphans(deps, known, new WriteBudget(MAX_ORPHAN_DELETES_PER_RUN));
  return { pendingMarked: outOfLine.size, reindexed, orphansDeleted };
}

async function deleteOrphans(
  deps: SubscriptionAuditDeps,
  known: Set<string>,
  budget: WriteBudget,
): Promise<number> {
  const ours = `${deps.publicBaseUrl}/api/graph/notifications`;
  let deleted = 0;
  for (const remote of await deps.graph.list()) {
    if (remote.notificationUrl !== ours || known.has(remote.id)) continue;
    // Created at most (its expiry minus the lifetime we ask for) ago; young ones are left to their creator.
    const youngestOrphanExpiry = Date.parse(deps.expiryFor(remote.resource, deps.now() - ORPHAN_MIN_AGE_MS));
    if (Date.parse(remote.expirationDateTime) > youngestOrphanExpiry) continue;
    if (!budget.take()) break;
    await deps.graph.delete(remote.id);
    deleted++;
    deps.log.info('orphan graph subscription deleted', { subscriptionId: remote.id });
  }
  return deleted;
}
