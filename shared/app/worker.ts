import { randomUUID } from 'node:crypto';
import type { Logger } from '../platform/logger';
import type { Stores } from '../store';
import { isPaused, SWITCH_CACHE_MS, type PauseSwitch } from '../store/control-store';
import { LeaseLostError, linkRowKey, MAX_KEYS_PER_QUERY } from '../store/pair-state-store';
import { toUserRef } from '../store/repositories';
import { BREAKER_RELEASE_REASON, type UserPair, type WorkItem } from '../store/types';
import { cursorWithOwnView, PullFailedError, runPull, type PullResult, type SideEndpoint } from '../sync';
import {
  isDryCursor,
  markDryCursor,
  rememberListedCursor,
  startingCursor,
  withoutRelistings,
} from '../sync/dry-run';
import { errorFields, SyncError } from '../sync/errors';
import type { FieldMerge } from '../sync/field-merge';
import { otherSide, type Kind, type Link, type LinkStore, type Side, type SyncPolicy } from '../sync/types';
import { FOLDERS } from './folders';
import { auditOwner, planAuditOutbox } from './pipeline/audit-outbox-plan';
import { FirstSyncProgress, isFirstSync } from './pipeline/first-sync-progress';
import { hintedItems } from './pipeline/hint-group-commit';
import { sameVersion } from './pipeline/hint-versions';
import { PairLease } from './pipeline/pair-lease';
import { PairLoops, type LoopRequest } from './pipeline/pair-loops';
import { delaySecondsUntil, nextPollAt } from './pipeline/poll-slots';
import { PullJournal } from './pipeline/pull-journal';
import { isEchoOfOwnWrites, recentWritesOf, type RecentWrites } from './pipeline/recent-writes';
import { guardWrites } from './pipeline/write-guard';
import { markSubscriptionDue } from './subscription-due';
import { TtlCache } from './ttl-cache';

/**
 * Both sides of one kind, with the folder each side pairs with the other's. `links` is the pull's own view of the
 * links, for adapters that translate ids through them (series masters) or that skip reading what the links already
 * hold; `pulled` is the side the pull lists.
 */
export type EndpointsFor = (
  kind: Kind,
  links?: Pick<LinkStore, 'findBySideId' | 'prefetch'>,
  pulled?: Side,
) => Record<Side, SideEndpoint<unknown>> | undefined;

export interface WorkerDeps {
  stores: Pick<
    Stores,
    'users' | 'pairState' | 'audit' | 'failures' | 'workQueue' | 'control' | 'subscriptions'
  >;
  endpoints: EndpointsFor;
  /** What differs between kinds in how the engine runs them. */
  kinds?: Partial<Record<Kind, KindRules>>;
  policy: SyncPolicy;
  log: Logger;
  now: () => number;
  /** The poll interval of a side that has no push (undefined: the side pushes its changes). */
  pollIntervalMs?: (kind: Kind, side: Side) => number | undefined | Promise<number | undefined>;
}

/** How the engine treats one kind, where it differs from the defaults. */
export interface KindRules {
  /** Hash of the synced projection, where it is not the whole projection. */
  hash?: (projection: unknown) => string;
  /** Fields merged one by one against the last synced values instead of by conflict policy (mail flags). */
  fieldMerge?: FieldMerge<unknown>;
  /** False where a full listing is windowed (mail's look-back): an unlisted item is not a deleted one. */
  proveMissing?: boolean;
  /** The kind's own delete policy (mail keeps copies unless the admin chose otherwise). */
  deletes?: SyncPolicy['deletes'];
}

export type WorkOutcome =
  | { status: 'synced'; pulls: number; changes: number; writes: number }
  | { status: 'echo' | 'covered' }
  | { status: 'dry-run' | 'breaker' | 'busy' | 'skipped' | 'failed' | 'paused'; detail?: string };

/** How long work waits when another instance holds the pair's lease. */
const BUSY_RETRY_SECONDS = 2;
/**
 * A hint counts as seen by a pull that began listing at least this long after it was recorded: ingress and
 * worker may run on different instances, whose clocks agree only so far.
 */
export const CLOCK_SKEW_MARGIN_MS = 250;
/** A pair's row is read once a minute at most per instance; a pair disabled meanwhile is skipped a minute later. */
const PAIR_CACHE_MS = 60_000;
/** While paused, an instance says so at most once a minute, with how many messages it set aside meanwhile. */
const PAUSED_LOG_MS = 60_000;
/**
 * Work a person is waiting for: it may use the DingTalk budget's reserve, which sweeps and polls may not, so a
 * month's background traffic can never starve live changes.
 */
const PUSH_REASONS = new Set(['callback', 'notification', 'missed', 'subscriptionRemoved', 'retry']);

/** What one instance keeps between messages: its own recent writes, the running loops, the pairs it read. */
interface InstanceMemory {
  recent: RecentWrites;
  loops: PairLoops<WorkOutcome>;
  pairs: TtlCache<UserPair | undefined>;
  sessions: Map<string, Session>;
  control: TtlCache<PauseSwitch>;
  paused: { loggedAt: number; since: number };
}

interface Session {
  lease: PairLease;
  links: Map<string, Link | undefined>;
}

const memories = new WeakMap<object, InstanceMemory>();

function memoryOf(deps: WorkerDeps): InstanceMemory {
  let memory = memories.get(deps.stores.pairState);
  if (!memory) {
    memory = {
      recent: recentWritesOf(deps.stores.pairState, deps.now),
      loops: new PairLoops(),
      pairs: new TtlCache(PAIR_CACHE_MS, 10_000, deps.now),
      sessions: new Map(),
      control: new TtlCache(SWITCH_CACHE_MS, 1, deps.now),
      paused: { loggedAt: -Infinity, since: 0 },
    };
    memories.set(deps.stores.pairState, memory);
  }
  return memory;
}

/**
 * One queue message, one hint. A hint this instance caused itself (the echo of its own write), or one that a pull
 * begun after it already covered, costs nothing. Otherwise it joins this instance's loop for its pair and kind and
 * is answered once a pull that saw it has committed (docs/architecture.md, "The worker").
 */
export async function processWork(deps: WorkerDeps, work: WorkItem): Promise<WorkOutcome> {
  // Renewal is not sync: a paused pair's or an echo's subscription is still renewed.
  if (work.subscriptionDue)
    await markSubscriptionDue(deps.stores.subscriptions, work.subscriptionDue, deps.now());
  const memory = memoryOf(deps);
  const control = await memory.control.get('pause', () => deps.stores.control.read());
  if (isPaused(control, work.pairId, work.kind)) return setAside(deps, memory, work);
  if (!mustPull(work) && isEchoOfOwnWrites(memory.recent, work)) return { status: 'echo' };
  if (!mustPull(work) && covers(memory.recent.lastListedAt(work.pairId, work.kind, work.side), work)) {
    return { status: 'covered' };
  }
  const key = `${work.pairId}|${work.kind}`;
  return memory.loops.submit(
    key,
    work,
    (batch, more) => serveBatch(deps, memory, key, batch, more),
    () => releaseLease(deps, memory, key),
  );
}

/**
 * Paused work is completed without a pull and without touching the state row: the cursor still points before every
 * change made meanwhile, so the pull the resume queues (or the next sweep) finds them all. A poll still sends its
 * successor, so the folder's chain outlives the pause.
 */
async function setAside(deps: WorkerDeps, memory: InstanceMemory, work: WorkItem): Promise<WorkOutcome> {
  if (work.reason === 'poll') {
    const interval = await deps.pollIntervalMs?.(work.kind, work.side);
    if (interval) await enqueueNextPoll(deps, work, work.side, interval);
  }
  memory.paused.since += 1;
  if (deps.now() - memory.paused.loggedAt >= PAUSED_LOG_MS) {
    deps.log.info('sync is paused: work completed without pulling', { setAside: memory.paused.since });
    memory.paused = { loggedAt: deps.now(), since: 0 };
  }
  return { status: 'paused' };
}

/**
 * Work that pulls even when a hint like it was covered: a resync; a poll, which carries its folder's chain (see
 * keepPolling; twins that meet in one batch still cost one pull and leave one successor); a retry, whose success
 * clears the folder's failure.
 */
const mustPull = (work: WorkItem) => work.resync === true || work.reason === 'poll' || clearsFailure(work);

/** A retry, or an admin's release of the breaker: their success clears the folder's failure. */
const clearsFailure = (work: WorkItem) => work.reason === 'retry' || work.reason === BREAKER_RELEASE_REASON;

const covers = (listedAt: number | undefined, work: WorkItem) =>
  listedAt !== undefined && work.hintedAt !== undefined && work.hintedAt + CLOCK_SKEW_MARGIN_MS <= listedAt;

async function serveBatch(
  deps: WorkerDeps,
  memory: InstanceMemory,
  key: string,
  batch: Array<LoopRequest<WorkOutcome>>,
  more: () => boolean,
): Promise<void> {
  const { pairId, kind } = batch[0].work;
  const pair = await memory.pairs.get(pairId, () => deps.stores.users.get(pairId));
  const skipped = skipReason(deps, pair, kind);
  if (skipped) return answer(batch, { status: 'skipped', detail: skipped });

  const session = await sessionFor(deps, memory, key, batch);
  if (session.lease.heldByOther()) return requeue(deps, memory, key, batch);

  const sides = [...new Set(batch.map((r) => r.work.side))];
  for (const [index, side] of sides.entries()) {
    const requests = batch.filter((r) => r.work.side === side);
    const due = requests.filter((r) => mustPull(r.work) || !alreadySeen(session, r.work));
    answer(
      requests.filter((r) => !due.includes(r)),
      { status: 'covered' },
    );
    if (due.length === 0) continue;
    const keepLease = () => index < sides.length - 1 || more();
    try {
      answer(due, await pullSide(deps, memory, session, pair!, side, due, keepLease));
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      memory.sessions.delete(key);
      return requeue(
        deps,
        memory,
        key,
        batch.filter((r) => sides.indexOf(r.work.side) >= index),
      );
    }
  }
}

function skipReason(deps: WorkerDeps, pair: UserPair | undefined, kind: Kind): string | undefined {
  if (!pair) return 'unknown pair';
  if (pair.status !== 'active' || !pair.enabledKinds.includes(kind))
    return `pair is ${pair.status} or ${kind} is off`;
  if (!deps.endpoints(kind)) return `${kind} is not synced yet`;
  return undefined;
}

/**
 * The state row, the links of the items the hints name and of the items this instance wrote lately (their echoes
 * come back in the next listing): one query (docs/state.md, "pairstate").
 */
async function sessionFor(
  deps: WorkerDeps,
  memory: InstanceMemory,
  key: string,
  batch: Array<LoopRequest<WorkOutcome>>,
): Promise<Session> {
  const existing = memory.sessions.get(key);
  if (existing) return existing;
  const { pairId, kind } = batch[0].work;
  const hinted = batch.flatMap((r) =>
    hintedItems(r.work).map((item) => ({ side: r.work.side, id: item.itemId })),
  );
  const recent = memory.recent.recentItems(pairId, kind, MAX_KEYS_PER_QUERY - 1);
  const keys = [...new Map([...hinted, ...recent].map((h) => [linkRowKey(h.side, h.id), h])).values()];
  const { state, links } = await deps.stores.pairState.load(
    pairId,
    kind,
    keys.slice(0, MAX_KEYS_PER_QUERY - 1),
  );
  // Audit rows a crash or another instance left committed but maybe unwritten (audit-outbox-plan.ts).
  deps.stores.audit.outbox.recover(auditOwner(pairId, kind), state.audit);
  const session = { lease: new PairLease(deps.stores.pairState, state, randomUUID(), deps.now), links };
  memory.sessions.set(key, session);
  return session;
}

/**
 * A hint whose change a committed pull already saw, or whose every item is at a version the link already holds.
 * DingTalk versions are only exact to the second, so there the link cannot tell a person's edit in the same second
 * from what it holds: only a listing can.
 */
function alreadySeen(session: Session, work: WorkItem): boolean {
  const state = session.lease.state;
  if (covers(state.sides[work.side].listedAt, work)) return true;
  const items = hintedItems(work);
  if (items.length === 0 || work.side === 'dingtalk') return false;
  return items.every((item) => {
    const link = session.links.get(linkRowKey(work.side, item.itemId));
    if (item.deleted) return link?.tombstone === true;
    return link !== undefined && !link.tombstone && sameVersion(work.side, link.outlookVersion, item.version);
  });
}

async function pullSide(
  deps: WorkerDeps,
  memory: InstanceMemory,
  session: Session,
  pair: UserPair,
  side: Side,
  due: Array<LoopRequest<WorkOutcome>>,
  keepLease: () => boolean,
): Promise<WorkOutcome> {
  const lease = session.lease;
  const { kind } = due[0].work;
  const rules = deps.kinds?.[kind];
  const journal = new PullJournal(deps.stores.pairState, lease, session.links);
  const endpoints = deps.endpoints(kind, journal.links, side)!;
  const guarded = (s: Side): SideEndpoint<unknown> => ({
    folder: endpoints[s].folder,
    adapter: guardWrites(endpoints[s].adapter, {
      beforeWrite: (write) => journal.beforeRemoteWrite(write),
      wrote: (id, version) => memory.recent.wrote(pair.pairId, kind, s, id, version),
    }),
  });
  const resync = due.some((r) => r.work.resync);
  const push = due.some((r) => PUSH_REASONS.has(r.work.reason));
  const log = deps.log.child({ pairId: pair.pairId, kind, side, reason: due[0].work.reason });
  const kindPolicy = rules?.deletes ? { ...deps.policy, deletes: rules.deletes } : deps.policy;
  // An admin read what the breaker stopped and released it: this pull may delete past the share, once.
  const released = due.some((r) => r.work.reason === BREAKER_RELEASE_REASON);
  const policy = released ? { ...kindPolicy, bulkDeleteMaxShare: 1 } : kindPolicy;
  const stored = lease.state.sides[side].cursor;
  const cursor = resync ? undefined : startingCursor(stored, policy.dryRun, policy);
  // A dry run that goes on from its report does not report the folder again when the adapter lists it anew.
  const continuesReport = policy.dryRun && cursor !== undefined && isDryCursor(stored);
  const relistings = continuesReport ? withoutRelistings(guarded(side)) : undefined;
  const listing = rememberListedCursor(relistings?.endpoint ?? guarded(side));
  const progress = isFirstSync(stored, policy.dryRun)
    ? new FirstSyncProgress(lease, journal, side)
    : undefined;
  const listedAt = deps.now();
  let result: PullResult;
  try {
    result = await runPull({
      // A push-driven pull's DingTalk calls may use the monthly quota's reserve (budget-governor.ts).
      user: { ...toUserRef(pair), priority: push ? 'push' : 'background' },
      pulled: listing.endpoint,
      other: guarded(otherSide(side)),
      cursor,
      links: journal.links,
      intents: journal.intents,
      audit: journal.audit,
      policy,
      now: deps.now,
      hashProjection: rules?.hash,
      fieldMerge: rules?.fieldMerge,
      proveMissing: rules?.proveMissing,
      onProgress: progress?.report,
    });
  } catch (err) {
    const cause = err instanceof PullFailedError ? err.cause : err;
    if (cause instanceof LeaseLostError) throw cause;
    if (waitsForAdmin(cause)) return waitForAdmin(deps, journal, lease, side, due, cause, log);
    // A failed poll still schedules the next one: the chain must outlive a bad minute.
    await keepPolling(deps, lease, side, due);
    return failed(deps, journal, lease, due[0].work, err, log);
  }
  const at = new Date(deps.now()).toISOString();
  const poll = await keepPolling(deps, lease, side, due);
  const audit = journal.takeAudit();

  if (result.outcome === 'breaker') {
    await deps.stores.audit.recordMany(audit);
    const detail = `bulk-delete breaker tripped: ${result.deletions} of ${result.links} items would be deleted`;
    await lease.commit(side, { lastError: detail, lastSyncedAt: at }, journal.takeLinks(), keepLease());
    await deps.stores.failures.record(due[0].work, detail, true, deps.now());
    log.error('sync stopped by the bulk-delete breaker; an admin must confirm', {
      deletions: result.deletions,
      links: result.links,
    });
    return { status: 'breaker', detail };
  }
  if (result.outcome === 'dry-run') {
    await deps.stores.audit.recordMany(audit);
    // The report is recorded once per folder: from here on only real changes are pulled and reported (dry-run.ts).
    const fromScratch = cursor === undefined || result.resynced;
    const listed = listing.cursor();
    const next = listed === undefined ? stored : markDryCursor(policy, listed);
    if (
      fromScratch ||
      !isDryCursor(stored) ||
      result.stats.changes > 0 ||
      relistings?.relisted() === true ||
      lease.holds ||
      poll.polledAt !== undefined
    ) {
      await lease.commit(side, { cursor: next, lastSyncedAt: at, lastError: '', ...poll }, [], keepLease());
    }
    if (due.some((r) => clearsFailure(r.work))) await clearFailure(deps, due[0].work);
    if (fromScratch) log.info('dry run: folder reported', { changes: result.stats.changes });
    else if (relistings?.relisted())
      log.info('dry run: folder listed anew (its window moved on), not reported again');
    return { status: 'dry-run' };
  }

  const writes = countWrites(result);
  const links = journal.takeLinks();
  const ownView = withOwnView(pair, side, result.cursor, lease, endpoints);
  // A pull that found nothing and wrote nothing stores nothing: the old cursor lists the same nothing again.
  // The cursor of a full listing is always stored: without it every later pull would list the whole folder again.
  const firstCursor = cursor === undefined || result.resynced;
  const owner = auditOwner(pair.pairId, kind);
  const plan = planAuditOutbox(deps.stores.audit.outbox, owner, lease.state.audit, audit);
  const worthStoring =
    plan.fresh.length > 0 ||
    result.stats.changes > 0 ||
    links.length > 0 ||
    firstCursor ||
    lease.state.intents.length > 0 ||
    ownView.otherChanged;
  if (worthStoring || lease.holds || poll.polledAt !== undefined) {
    lease.setIntents([]);
    if (plan.direct.length > 0) await deps.stores.audit.writeRecords(plan.direct);
    lease.setAudit(plan.outbox);
    try {
      await lease.commit(
        side,
        { cursor: ownView.cursor, listedAt, lastSyncedAt: at, lastError: '', ...poll },
        links,
        keepLease(),
      );
    } catch (err) {
      // The remote writes happened: their rows go to the audit table the direct way (best effort, as before).
      if (plan.direct.length === 0) await deps.stores.audit.writeRecords(plan.fresh).catch(() => undefined);
      throw err;
    }
    if (plan.outbox && plan.fresh.length > 0 && plan.direct.length === 0) {
      deps.stores.audit.outbox.enqueue(owner, plan.outbox);
    }
  }
  memory.recent.listed(pair.pairId, kind, side, listedAt);
  if (due.some((r) => clearsFailure(r.work))) await clearFailure(deps, due[0].work);
  if (writes > 0) log.info('folder synced', { changes: result.stats.changes, writes });
  await goLiveOtherSide(deps, pair, kind, side, stored, lease);
  return { status: 'synced', pulls: 1, changes: result.stats.changes, writes };
}

/**
 * Both sides' cursors with what this process wrote to or read from their folders during the pull (sync/own-view.ts):
 * the pulled side's new cursor, and the other side's stored one, noted on the lease so the commit stores it. An IMAP
 * cursor's flag snapshot predates our writes, and the adapter's memory of them is per process: without this, a
 * person undoing our write before the next poll looked unchanged to a poll after a crash, and the link kept our value.
 */
function withOwnView(
  pair: UserPair,
  side: Side,
  cursor: string | undefined,
  lease: PairLease,
  endpoints: Record<Side, SideEndpoint<unknown>>,
): { cursor: string | undefined; otherChanged: boolean } {
  const user = toUserRef(pair);
  const other = otherSide(side);
  const stored = lease.state.sides[other].cursor;
  const otherCursor = cursorWithOwnView(user, endpoints[other], stored);
  if (otherCursor !== stored) lease.note(other, { cursor: otherCursor });
  return { cursor: cursorWithOwnView(user, endpoints[side], cursor), otherChanged: otherCursor !== stored };
}

/**
 * The first live pull of a side that a dry run had reported re-listed it from scratch; the other side needs the same
 * (its own items are copied only by a pull of it), so it is queued now rather than at its next sweep, which on
 * DingTalk may be a day away. Queued once: by then this side holds a live cursor.
 */
async function goLiveOtherSide(
  deps: WorkerDeps,
  pair: UserPair,
  kind: Kind,
  side: Side,
  stored: string | undefined,
  lease: PairLease,
): Promise<void> {
  const other = otherSide(side);
  if (!isDryCursor(stored) || !isDryCursor(lease.state.sides[other].cursor)) return;
  await deps.stores.workQueue.enqueue({
    pairId: pair.pairId,
    kind,
    side: other,
    folder: FOLDERS[kind][other],
    reason: 'first-sync',
  });
}

/**
 * Polls: a side without push is pulled by a chain of queue messages, one per folder: each poll that pulls
 * enqueues the next, invisible until the folder's next slot (poll-slots.ts), so there is never more than one
 * message per folder and no timer reads every folder's row. A duplicate (a crash after the successor was sent and
 * before the message was completed) names the same slot as its twin; the two arrive together, join one loop and
 * leave one successor. The chain reports alive on the state row once an hour; any other pull of the side that
 * finds no live chain starts a new one.
 */
export const POLL_HEARTBEAT_MS = 60 * 60_000;

async function keepPolling(
  deps: WorkerDeps,
  lease: PairLease,
  side: Side,
  due: Array<LoopRequest<WorkOutcome>>,
  slowDown = 1,
): Promise<{ polledAt?: number }> {
  const work = due[0].work;
  const configured = await deps.pollIntervalMs?.(work.kind, side);
  if (!configured) return {};
  const interval = configured * slowDown;
  const now = deps.now();
  const polledAt = lease.state.sides[side].polledAt ?? 0;
  const chain = due.some((r) => r.work.reason === 'poll');
  const alive = now - polledAt <= 2 * Math.max(interval, POLL_HEARTBEAT_MS);
  if (!chain && alive) return {};
  await enqueueNextPoll(deps, work, side, interval);
  return chain && now - polledAt < POLL_HEARTBEAT_MS ? {} : { polledAt: now };
}

/** The folder's next poll, invisible until its slot. */
async function enqueueNextPoll(
  deps: WorkerDeps,
  work: WorkItem,
  side: Side,
  interval: number,
): Promise<void> {
  const now = deps.now();
  const at = nextPollAt(`${work.pairId}|${work.kind}|${side}`, interval, now);
  const next: WorkItem = {
    pairId: work.pairId,
    kind: work.kind,
    side,
    folder: work.folder,
    reason: 'poll',
    hintedAt: at,
  };
  await deps.stores.workQueue.enqueue(next, { delaySeconds: delaySecondsUntil(at, now) });
}

function countWrites(result: PullResult): number {
  const a = result.stats.actions as Record<string, number | undefined>;
  return Object.entries(a)
    .filter(([action]) => /create|update|delete/.test(action))
    .reduce((sum, [, n]) => sum + (n ?? 0), 0);
}

/**
 * A failed pull keeps its cursor, so the next pull re-reads the same changes; the links of the writes that did
 * happen are stored, and the intents of creates that may have happened stay for crash recovery. The failures
 * table paces the retries (docs/runbook.md).
 */
async function failed(
  deps: WorkerDeps,
  journal: PullJournal,
  lease: PairLease,
  work: WorkItem,
  err: unknown,
  log: Logger,
): Promise<WorkOutcome> {
  const permanent = err instanceof PullFailedError ? !err.retryable : false;
  const message = err instanceof Error ? err.message : String(err);
  const at = new Date(deps.now()).toISOString();
  await deps.stores.audit.recordMany([
    ...journal.takeAudit(),
    {
      at,
      pairId: work.pairId,
      kind: work.kind,
      side: work.side,
      action: 'failure',
      reason: `${permanent ? 'permanent' : 'will retry'}: ${message}`,
    },
  ]);
  if (lease.holds || journal.pendingLinks > 0) {
    lease.setIntents(journal.pendingIntents);
    await lease.commit(work.side, { lastError: message, lastSyncedAt: at }, journal.takeLinks(), false);
  }
  await deps.stores.failures.record(work, message, permanent, deps.now());
  log.warn('pull failed', { ...errorFields(err), error: message });
  return { status: 'failed', detail: message };
}

/**
 * Errors only an admin can clear: a mailbox without an app password, or one whose password the server rejected
 * (shared/app/mail/credential-guard.ts). Retrying cannot help, and failing every minute would write an audit row
 * and a failure row per poll for each such mailbox (10,000 of them, once a minute, in a fresh deployment).
 */
const WAITING_FOR_ADMIN = new Set([
  'imap-no-app-password',
  'imap-credentials-rejected',
  'imap-login-rejected',
]);
/** While it waits, the folder is polled this many times less often: the credentials are re-read at that pace. */
export const WAITING_POLL_SLOWDOWN = 10;

const waitsForAdmin = (err: unknown): err is SyncError =>
  err instanceof SyncError && WAITING_FOR_ADMIN.has(err.code);

/**
 * The folder waits for an admin: it is recorded once (audit, failures, the side's last error), not at every poll,
 * and its poll chain slows down until the credentials change. Nothing else of the pair is held up.
 */
async function waitForAdmin(
  deps: WorkerDeps,
  journal: PullJournal,
  lease: PairLease,
  side: Side,
  due: Array<LoopRequest<WorkOutcome>>,
  err: SyncError,
  log: Logger,
): Promise<WorkOutcome> {
  const poll = await keepPolling(deps, lease, side, due, WAITING_POLL_SLOWDOWN);
  const known = lease.state.sides[side].lastError === err.message && journal.pendingLinks === 0;
  if (known) return { status: 'failed', detail: err.message };
  // Stored on the state row, which every pull reads anyway: that is how the next poll knows it was said.
  await lease.commit(side, { lastError: err.message, ...poll }, journal.takeLinks(), false);
  return failed(deps, journal, lease, due[0].work, err, log);
}

/** Another instance holds the lease: the hints come back shortly, and are covered if that instance saw them. */
async function requeue(
  deps: WorkerDeps,
  memory: InstanceMemory,
  key: string,
  batch: Array<LoopRequest<WorkOutcome>>,
): Promise<void> {
  memory.sessions.delete(key);
  for (const request of batch) {
    await deps.stores.workQueue.enqueue(request.work, { delaySeconds: BUSY_RETRY_SECONDS });
  }
  answer(batch, { status: 'busy', detail: 'another worker holds this pair' });
}

async function releaseLease(deps: WorkerDeps, memory: InstanceMemory, key: string): Promise<void> {
  const session = memory.sessions.get(key);
  memory.sessions.delete(key);
  try {
    await session?.lease.release();
  } catch (err) {
    deps.log.warn('could not release a lease; it runs out by itself', { error: err });
  }
}

function answer(batch: Array<LoopRequest<WorkOutcome>>, outcome: WorkOutcome): void {
  for (const request of batch) request.resolve(outcome);
}

async function clearFailure(deps: WorkerDeps, work: WorkItem): Promise<void> {
  await deps.stores.failures.clear(work, deps.now());
}
