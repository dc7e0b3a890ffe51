import { randomUUID } from 'node:crypto';
import { newClientState } from '../ingress';
import type { Logger } from '../platform/logger';
import { forEachBounded } from '../store/bounded';
import type { PendingPair, SubscriptionRepository, UserRepository, WorkQueue } from '../store/repositories';
import type { SubscriptionRecord, UserPair } from '../store/types';
import { NotFoundRemoteError, type Kind } from '../sync/types';
import { folderWork } from './folders';

/** The part of Graph's subscription API the manager needs (GraphSubscriptionsApi implements it). */
export interface SubscriptionsPort {
  create(input: {
    resource: string;
    changeType: string;
    notificationUrl: string;
    lifecycleNotificationUrl?: string;
    expirationDateTime: string;
    clientState: string;
  }): Promise<{ id: string; expirationDateTime: string }>;
  renew(id: string, expirationDateTime: string): Promise<{ expirationDateTime: string }>;
  delete(id: string): Promise<void>;
  list(): Promise<
    Array<{ id: string; notificationUrl: string; resource: string; expirationDateTime: string }>
  >;
}

export interface DesiredSubscription {
  kind: Kind;
  folder: string;
  resource: string;
  changeType: string;
}

export interface SubscriptionManagerDeps {
  users: Pick<UserRepository, 'get'>;
  subscriptions: SubscriptionRepository;
  workQueue: WorkQueue;
  graph: SubscriptionsPort;
  log: Logger;
  now: () => number;
  publicBaseUrl: string;
  expiryFor: (resource: string, now: number) => string;
}

export interface SubscriptionRunReport {
  created: number;
  renewed: number;
  recreated: number;
  removed: number;
  /** Due renewals and pending pairs this run looked at but left to the next one, its write budget spent. */
  deferred: number;
  failed: number;
  /** Pulls queued for the folders of pairs that just became active: their first sync. */
  firstSyncs: number;
}

/** Renew when less than this is left: a week-long subscription is renewed daily, far from its expiry. */
export const RENEW_WHEN_LEFT_MS = 6 * 24 * 3600e3;

/** Graph allows 500 subscription writes (create, renew, delete) per 20 s per app and tenant: docs/graph.md (subscription limits). */
export const GRAPH_SUBSCRIPTION_WRITES_PER_WINDOW = 500;
const GRAPH_SUBSCRIPTION_WINDOW_MS = 20_000;
/** The timer's default period (TIMER_SCHEDULE, every minute). */
const TIMER_PERIOD_MS = 60_000;
/** The timer's share of the limit; the rest is headroom for the lifecycle handler's and an admin's writes. */
const TIMER_SHARE = 0.5;
/**
 * Subscription writes one timer run may make. A run's writes can all land inside one 20-s window, and runs a
 * minute apart never share one, so a run may use one window's limit times the timer's share (a timer faster than
 * the window would get proportionally less): 500 × 1 × 0.5 = 250 a minute. At that pace 10,000 new pairs with one
 * subscription each are subscribed in 40 minutes, and their daily renewals take about 7 writes a minute.
 */
export const MAX_WRITES_PER_RUN = Math.floor(
  GRAPH_SUBSCRIPTION_WRITES_PER_WINDOW *
    Math.min(1, TIMER_PERIOD_MS / GRAPH_SUBSCRIPTION_WINDOW_MS) *
    TIMER_SHARE,
);
/** Graph calls in flight at once; each create also makes Graph call both our webhooks to validate them. */
const GRAPH_WRITE_CONCURRENCY = 8;
const CLAIM_TTL_MS = 2 * 60_000;
/** A pair whose subscriptions could not be brought in line is tried again this much later. */
const PENDING_RETRY_MS = 15 * 60_000;

/** The subscriptions a paired user should have, by the kinds enabled for them. */
export function desiredSubscriptions(pair: UserPair): DesiredSubscription[] {
  const all: DesiredSubscription[] = [];
  const user = `users/${pair.entraId}`;
  if (pair.enabledKinds.includes('calendar')) {
    all.push({
      kind: 'calendar',
      folder: 'calendar',
      resource: `${user}/events`,
      changeType: 'created,updated,deleted',
    });
  }
  if (pair.enabledKinds.includes('mail')) {
    all.push({
      kind: 'mail',
      folder: 'inbox',
      resource: `${user}/mailFolders('Inbox')/messages`,
      changeType: 'created,updated,deleted',
    });
  }
  if (pair.enabledKinds.includes('sentmail')) {
    all.push({
      kind: 'sentmail',
      folder: 'sentitems',
      resource: `${user}/mailFolders('SentItems')/messages`,
      changeType: 'created,updated,deleted',
    });
  }
  return all;
}

export function needsRenewal(record: SubscriptionRecord, now: number): boolean {
  return Date.parse(record.expiresAt) - now < RENEW_WHEN_LEFT_MS;
}

/** Counts a run's Graph writes against MAX_WRITES_PER_RUN. */
export class WriteBudget {
  private used = 0;
  constructor(private readonly limit: number) {}
  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
  left(): number {
    return this.limit - this.used;
  }
}

/**
 * One timer run of subscription upkeep, reading only what is due: renews the subscriptions whose renewal is due
 * (the renewal index, soonest first), recreates those Graph removed (404 on renew) and asks for a resync of their
 * folder, then serves the pending pairs (new, changed or no longer active, as the pairing run marked them):
 * creates what they lack, deletes what they should no longer have, and queues the first sync of those that just
 * became active. At most MAX_WRITES_PER_RUN Graph writes; the
 * rest waits for the next run.
 */
export async function maintainSubscriptions(deps: SubscriptionManagerDeps): Promise<SubscriptionRunReport> {
  const report: SubscriptionRunReport = {
    created: 0,
    renewed: 0,
    recreated: 0,
    removed: 0,
    deferred: 0,
    failed: 0,
    firstSyncs: 0,
  };
  const owner = randomUUID();
  const budget = new WriteBudget(MAX_WRITES_PER_RUN);

  const due = await deps.subscriptions.dueForRenewal(deps.now() + RENEW_WHEN_LEFT_MS, MAX_WRITES_PER_RUN);
  await forEachBounded(due, GRAPH_WRITE_CONCURRENCY, async (record) => {
    if (!budget.take()) {
      report.deferred++;
      return;
    }
    try {
      report[await renewOrRecreate(deps, record, owner, budget)]++;
    } catch (err) {
      report.failed++;
      deps.log.warn('subscription maintenance failed', {
        pairId: record.pairId,
        resource: record.resource,
        error: err,
      });
    }
  });

  if (budget.left() === 0) return report;
  const pending = await deps.subscriptions.listPending(deps.now(), budget.left());
  await forEachBounded(pending, GRAPH_WRITE_CONCURRENCY, (entry) =>
    servePending(deps, entry, owner, budget, report),
  );
  return report;
}

/**
 * One pending pair: its subscriptions brought in line, then its first sync queued if it just became active. The
 * first sync follows the subscription pace (at most a run's budget of pairs a minute), which spreads the first
 * syncs of a large rollout, and is queued even when Graph refused the subscription: the pair's folders still sync.
 */
async function servePending(
  deps: SubscriptionManagerDeps,
  entry: PendingPair,
  owner: string,
  budget: WriteBudget,
  report: SubscriptionRunReport,
): Promise<void> {
  const pair = await deps.users.get(entry.pairId);
  let failed = false;
  try {
    if (!(await bringInLine(deps, entry.pairId, pair, owner, budget, report))) {
      report.deferred++;
      return;
    }
  } catch (err) {
    failed = true;
    report.failed++;
    deps.log.warn('subscription maintenance failed', { pairId: entry.pairId, error: err });
  }
  if (entry.firstSync && pair?.status === 'active') {
    const work = folderWork(pair, ['dingtalk', 'outlook'], 'first-sync');
    for (const item of work) await deps.workQueue.enqueue(item);
    report.firstSyncs += work.length;
  }
  if (failed)
    await deps.subscriptions.deferPending({ ...entry, firstSync: false }, deps.now() + PENDING_RETRY_MS);
  else await deps.subscriptions.clearPending(entry);
}

/**
 * Makes one pair's subscriptions match what it should have (none once it is no longer active). Returns false when
 * the write budget ran out before it was done.
 */
async function bringInLine(
  deps: SubscriptionManagerDeps,
  pairId: string,
  pair: UserPair | undefined,
  owner: string,
  budget: WriteBudget,
  report: SubscriptionRunReport,
): Promise<boolean> {
  const desired = pair?.status === 'active' ? desiredSubscriptions(pair) : [];
  const existing = await deps.subscriptions.listByPair(pairId);
  for (const want of desired) {
    if (existing.some((r) => r.resource === want.resource)) continue;
    if (!budget.take()) return false;
    if (await createOnce(deps, pair!, want, owner)) report.created++;
  }
  for (const record of existing) {
    if (desired.some((d) => d.resource === record.resource)) continue;
    if (!budget.take()) return false;
    await deps.graph.delete(record.subscriptionId);
    await deps.subscriptions.remove(record);
    report.removed++;
  }
  return true;
}

async function createOnce(
  deps: SubscriptionManagerDeps,
  pair: UserPair,
  desired: DesiredSubscription,
  owner: string,
): Promise<boolean> {
  // The claim makes two overlapping timer runs create a subscription once; the re-read closes the gap between
  // this run's lookup and its claim.
  if (!(await deps.subscriptions.claimCreate(pair.pairId, desired.resource, owner, CLAIM_TTL_MS)))
    return false;
  try {
    const existing = await deps.subscriptions.listByPair(pair.pairId);
    if (existing.some((r) => r.resource === desired.resource)) return false;
    await createAndRecord(deps, pair, desired);
    return true;
  } finally {
    await deps.subscriptions.releaseCreate(pair.pairId, desired.resource, owner);
  }
}

async function createAndRecord(
  deps: SubscriptionManagerDeps,
  pair: UserPair,
  desired: DesiredSubscription,
): Promise<void> {
  const secret = newClientState();
  const created = await deps.graph.create({
    resource: desired.resource,
    changeType: desired.changeType,
    notificationUrl: `${deps.publicBaseUrl}/api/graph/notifications`,
    lifecycleNotificationUrl: `${deps.publicBaseUrl}/api/graph/lifecycle`,
    expirationDateTime: deps.expiryFor(desired.resource, deps.now()),
    clientState: secret.clientState,
  });
  await deps.subscriptions.save({
    pairId: pair.pairId,
    subscriptionId: created.id,
    resource: desired.resource,
    kind: desired.kind,
    folder: desired.folder,
    expiresAt: created.expirationDateTime,
    clientStateHash: secret.hash,
    clientStateSalt: secret.salt,
  });
  deps.log.info('graph subscription created', {
    pairId: pair.pairId,
    subscriptionId: created.id,
    resource: desired.resource,
  });
}

async function renewOrRecreate(
  deps: SubscriptionManagerDeps,
  record: SubscriptionRecord,
  owner: string,
  budget: WriteBudget,
): Promise<'renewed' | 'recreated' | 'removed'> {
  try {
    const renewed = await deps.graph.renew(
      record.subscriptionId,
      deps.expiryFor(record.resource, deps.now()),
    );
    await deps.subscriptions.renew(record, renewed.expirationDateTime);
    return 'renewed';
  } catch (err) {
    if (!(err instanceof NotFoundRemoteError)) throw err;
  }
  // Graph removed it: whatever it would have announced meanwhile is unknown, so the folder is resynced.
  await deps.subscriptions.remove(record);
  const pair = await deps.users.get(record.pairId);
  const desired =
    pair?.status === 'active'
      ? desiredSubscriptions(pair).find((d) => d.resource === record.resource)
      : undefined;
  if (!pair || !desired) return 'removed';
  if (budget.take()) await createOnce(deps, pair, desired, owner);
  else await deps.subscriptions.markPending([pair.pairId]);
  await deps.workQueue.enqueue({
    pairId: pair.pairId,
    kind: desired.kind,
    side: 'outlook',
    folder: desired.folder,
    reason: 'subscription-recreated',
    resync: true,
  });
  deps.log.warn('graph subscription was gone and has been recreated', {
    pairId: pair.pairId,
    resource: desired.resource,
  });
  return 'recreated';
}
