import { randomUUID } from 'node:crypto';
import { newClientState } from '../ingress';
import type { Logger } from '../platform/logger';
import type { SubscriptionRepository, UserRepository, WorkQueue } from '../store/repositories';
import type { SubscriptionRecord, UserPair } from '../store/types';
import { NotFoundRemoteError, type Kind } from '../sync/types';

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
  users: Pick<UserRepository, 'list'>;
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
  orphansDeleted: number;
  deferred: number;
  failed: number;
}

/** Renew when less than this is left: a week-long subscription is renewed daily, far from its expiry. */
export const RENEW_WHEN_LEFT_MS = 6 * 24 * 3600e3;
/**
 * Graph allows 500 subscription writes per 20 s per app and tenant; one run does at most this many and leaves the
 * rest to the next run a minute later.
 */
export const MAX_WRITES_PER_RUN = 200;
const CLAIM_TTL_MS = 2 * 60_000;
/** An unrecorded subscription younger than this may belong to a run that is still recording it. */
const ORPHAN_MIN_AGE_MS = 10 * 60_000;

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
  return all;
}

/**
 * Keeps every paired user's subscriptions alive: creates missing ones, renews those nearing expiry, recreates
 * those Graph removed (404 on renew) and asks for a resync of their folder, deletes those of users no longer
 * paired, and deletes orphans (created remotely by a run that died before recording them).
 */
export async function maintainSubscriptions(deps: SubscriptionManagerDeps): Promise<SubscriptionRunReport> {
  const report: SubscriptionRunReport = {
    created: 0,
    renewed: 0,
    recreated: 0,
    removed: 0,
    orphansDeleted: 0,
    deferred: 0,
    failed: 0,
  };
  const owner = randomUUID();
  let writes = 0;
  const budgetLeft = () => writes < MAX_WRITES_PER_RUN;

  const pairs = (await deps.users.list()).filter((p) => p.status === 'active');
  const records = await deps.subscriptions.listAll();
  const byPairResource = new Map(records.map((r) => [`${r.pairId}|${r.resource}`, r]));
  const wanted = new Set<string>();

  for (const pair of pairs) {
    for (const desired of desiredSubscriptions(pair)) {
      const key = `${pair.pairId}|${desired.resource}`;
      wanted.add(key);
      const record = byPairResource.get(key);
      if (!budgetLeft()) {
        if (!record || needsRenewal(record, deps.now())) report.deferred++;
        continue;
      }
      try {
        if (!record) {
          writes++;
          if (await createOnce(deps, pair, desired, owner)) report.created++;
        } else if (needsRenewal(record, deps.now())) {
          writes++;
          const outcome = await renewOrRecreate(deps, pair, desired, record, owner);
          report[outcome]++;
        }
      } catch (err) {
        report.failed++;
        deps.log.warn('subscription maintenance failed', {
          pairId: pair.pairId,
          resource: desired.resource,
          error: err,
        });
      }
    }
  }

  for (const record of records) {
    if (wanted.has(`${record.pairId}|${record.resource}`) || !budgetLeft()) continue;
    writes++;
    try {
      await deps.graph.delete(record.subscriptionId);
      await deps.subscriptions.remove(record);
      report.removed++;
    } catch (err) {
      report.failed++;
      deps.log.warn('removing a subscription failed', { subscriptionId: record.subscriptionId, error: err });
    }
  }

  report.orphansDeleted = await deleteOrphans(deps, () => budgetLeft() && ++writes > 0);
  return report;
}

function needsRenewal(record: SubscriptionRecord, now: number): boolean {
  return Date.parse(record.expiresAt) - now < RENEW_WHEN_LEFT_MS;
}

async function createOnce(
  deps: SubscriptionManagerDeps,
  pair: UserPair,
  desired: DesiredSubscription,
  owner: string,
): Promise<boolean> {
  // The claim makes two overlapping timer runs create a subscription once; the re-read closes the gap between
  // this run's listing and its claim.
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
  pair: UserPair,
  desired: DesiredSubscription,
  record: SubscriptionRecord,
  owner: string,
): Promise<'renewed' | 'recreated'> {
  try {
    const renewed = await deps.graph.renew(
      record.subscriptionId,
      deps.expiryFor(record.resource, deps.now()),
    );
    await deps.subscriptions.save({ ...record, expiresAt: renewed.expirationDateTime });
    return 'renewed';
  } catch (err) {
    if (!(err instanceof NotFoundRemoteError)) throw err;
  }
  // Graph removed it: whatever it would have announced meanwhile is unknown, so the folder is resynced.
  await deps.subscriptions.remove(record);
  await createOnce(deps, pair, desired, owner);
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

async function deleteOrphans(deps: SubscriptionManagerDeps, takeWrite: () => boolean): Promise<number> {
  const ours = `${deps.publicBaseUrl}/api/graph/notifications`;
  const known = new Set((await deps.subscriptions.listAll()).map((r) => r.subscriptionId));
  let deleted = 0;
  for (const remote of await deps.graph.list()) {
    if (remote.notificationUrl !== ours || known.has(remote.id)) continue;
    // Created at most (its expiry minus the lifetime we ask for) ago; young ones are left to their creator.
    const youngestOrphanExpiry = Date.parse(deps.expiryFor(remote.resource, deps.now() - ORPHAN_MIN_AGE_MS));
    if (Date.parse(remote.expirationDateTime) > youngestOrphanExpiry) continue;
    if (!takeWrite()) break;
    await deps.graph.delete(remote.id);
    deleted++;
    deps.log.info('orphan graph subscription deleted', { subscriptionId: remote.id });
  }
  return deleted;
}
