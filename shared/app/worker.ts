import { randomUUID } from 'node:crypto';
import type { Logger } from '../platform/logger';
import type { Stores } from '../store';
import { toUserRef } from '../store/repositories';
import { cursorKey, type CursorState, type UserPair, type WorkItem } from '../store/types';
import { withBudgetPriority } from '../connectors/dingtalk';
import { PullFailedError, runPull, type PullResult, type SideEndpoint } from '../sync';
import { otherSide, type Kind, type Side, type SyncPolicy } from '../sync/types';

/** Both sides of one kind, with the folder each side pairs with the other's. */
export type EndpointsFor = (kind: Kind) => Record<Side, SideEndpoint<unknown>> | undefined;

export interface WorkerDeps {
  stores: Pick<Stores, 'users' | 'cursors' | 'links' | 'intents' | 'audit' | 'failures' | 'workQueue'>;
  endpoints: EndpointsFor;
  /** Hash of the synced projection per kind, where it is not the whole projection. */
  hashes?: Partial<Record<Kind, (projection: unknown) => string>>;
  policy: SyncPolicy;
  log: Logger;
  now: () => number;
}

export type WorkOutcome =
  | { status: 'synced'; pulls: number; changes: number; writes: number }
  | { status: 'dry-run' | 'breaker' | 'busy' | 'skipped' | 'failed'; detail?: string };

/** A lease long enough for a big first sync; a crashed worker's lease simply runs out. */
export const LEASE_TTL_MS = 5 * 60_000;
/** Hints keep arriving on a busy folder; after this many back-to-back pulls the rest waits for its queue message. */
const MAX_PULLS_PER_RUN = 5;
/** How long work waits when the other side of the same pair and kind is being pulled. */
const BUSY_RETRY_SECONDS = 2;
/**
 * Work a person is waiting for: it may use the DingTalk budget's reserve, which sweeps and polls may not, so a
 * month's background traffic can never starve live changes.
 */
const PUSH_REASONS = new Set([
  'callback',
  'notification',
  'pending-hint',
  'dirty',
  'missed',
  'subscriptionRemoved',
]);
/** A lock holder serves the other side's pending hints this many times at most before letting go. */
const MAX_SIDE_SWITCHES = 3;

/**
 * Pulls of the two sides of one pair and kind exclude each other: each reads one side and writes the other, so two
 * at once could act on a stale listing or replay a create still in flight. The folder lease collapses hints; this
 * row serialises the pair.
 */
const kindLockKey = (work: WorkItem) => `${work.kind}.lock`;

/**
 * One queue message: pull one folder of one user from its cursor, reconcile, store the new cursor. The lease on the
 * cursor row gives one puller per folder; hints that arrive meanwhile set the dirty flag and are served by one more
 * pull of the same run. Failures are recorded for the timer's retries rather than thrown, so one broken folder
 * never poisons the queue.
 */
export async function processWork(deps: WorkerDeps, work: WorkItem): Promise<WorkOutcome> {
  const pair = await deps.stores.users.get(work.pairId);
  if (!pair || pair.status !== 'active' || !pair.enabledKinds.includes(work.kind)) {
    return {
      status: 'skipped',
      detail: pair ? `pair is ${pair.status} or ${work.kind} is off` : 'unknown pair',
    };
  }
  const endpoints = deps.endpoints(work.kind);
  if (!endpoints) return { status: 'skipped', detail: `${work.kind} is not synced yet` };

  const owner = randomUUID();
  const log = deps.log.child({ pairId: work.pairId, kind: work.kind, reason: work.reason });
  const state = await deps.stores.cursors.acquireLease(
    work.pairId,
    cursorKey(work),
    owner,
    LEASE_TTL_MS,
    deps.now(),
  );
  if (!state) return { status: 'busy' };
  const lock = await deps.stores.cursors.acquireLease(
    work.pairId,
    kindLockKey(work),
    owner,
    LEASE_TTL_MS,
    deps.now(),
  );
  if (!lock) {
    // Taking the folder lease cleared its dirty flag: put it back. The lock holder serves it before letting go;
    // the delayed message covers the moment the holder had already looked.
    await deps.stores.cursors.releaseLease(state);
    await deps.stores.cursors.markDirty(work.pairId, cursorKey(work));
    await deps.stores.workQueue.enqueue(work, { delaySeconds: BUSY_RETRY_SECONDS });
    return { status: 'busy', detail: 'the other side of this pair is being pulled' };
  }
  try {
    return await withBudgetPriority(PUSH_REASONS.has(work.reason) ? 'push' : 'background', () =>
      pullPairWhileDirty(deps, work, pair, state, owner, log, endpoints),
    );
  } finally {
    await deps.stores.cursors.releaseLease(lock);
  }
}

async function pullPairWhileDirty(
  deps: WorkerDeps,
  work: WorkItem,
  pair: UserPair,
  state: CursorState,
  owner: string,
  log: Logger,
  endpoints: Record<Side, SideEndpoint<unknown>>,
): Promise<WorkOutcome> {
  let outcome = await pullWhileDirty(deps, work, pair, state, owner, log.child({ side: work.side }));
  // Serve hints for the other side that arrived while this pull held the lock, alternating until both are clean.
  let current = work;
  for (let round = 0; round < MAX_SIDE_SWITCHES && outcome.status === 'synced'; round++) {
    const other: WorkItem = {
      ...current,
      side: otherSide(current.side),
      folder: endpoints[otherSide(current.side)].folder,
      reason: 'pending-hint',
      resync: undefined,
    };
    const pending = await deps.stores.cursors.get(work.pairId, cursorKey(other));
    if (!pending?.dirty) break;
    const otherState = await deps.stores.cursors.acquireLease(
      work.pairId,
      cursorKey(other),
      owner,
      LEASE_TTL_MS,
      deps.now(),
    );
    if (!otherState) break;
    const next = await pullWhileDirty(deps, other, pair, otherState, owner, log.child({ side: other.side }));
    if (next.status !== 'synced') break;
    outcome = {
      ...outcome,
      pulls: outcome.pulls + next.pulls,
      changes: outcome.changes + next.changes,
      writes: outcome.writes + next.writes,
    };
    current = other;
  }
  return outcome;
}

async function pullWhileDirty(
  deps: WorkerDeps,
  work: WorkItem,
  pair: UserPair,
  first: CursorState,
  owner: string,
  log: Logger,
): Promise<WorkOutcome> {
  const endpoints = deps.endpoints(work.kind)!;
  const key = cursorKey(work);
  let state = first;

  let resync = work.resync === true;
  let pulls = 0;
  let changes = 0;
  let writes = 0;
  for (;;) {
    pulls++;
    let result: PullResult;
    try {
      result = await runPull({
        user: toUserRef(pair),
        pulled: endpoints[work.side],
        other: endpoints[work.side === 'dingtalk' ? 'outlook' : 'dingtalk'],
        cursor: resync ? undefined : state.cursor,
        links: deps.stores.links,
        intents: deps.stores.intents,
        audit: deps.stores.audit,
        policy: deps.policy,
        now: deps.now,
        hashProjection: deps.hashes?.[work.kind],
      });
    } catch (err) {
      return failed(deps, work, state, err, log);
    }
    changes += result.stats.changes;
    writes += countWrites(result);
    if (result.outcome === 'breaker') {
      const detail = `bulk-delete breaker tripped: ${result.deletions} of ${result.links} items would be deleted`;
      state = await markAttempted(deps, state);
      await deps.stores.cursors.releaseLease(state, detail);
      await deps.stores.failures.record(work, detail, true, deps.now());
      log.error('sync stopped by the bulk-delete breaker; an admin must confirm', {
        deletions: result.deletions,
        links: result.links,
      });
      return { status: 'breaker', detail };
    }
    state =
      result.outcome === 'synced'
        ? await deps.stores.cursors.saveCursor({
            ...state,
            cursor: result.cursor,
            lastSyncedAt: new Date(deps.now()).toISOString(),
          })
        : await markAttempted(deps, state);
    resync = false;
    const dirty = await deps.stores.cursors.releaseLease(state);
    if (work.reason === 'retry') await clearFailure(deps, work);
    if (result.outcome === 'dry-run') return { status: 'dry-run' };
    if (!dirty) break;
    if (pulls >= MAX_PULLS_PER_RUN) {
      await deps.stores.workQueue.enqueue({ ...work, reason: 'dirty' });
      break;
    }
    const again = await deps.stores.cursors.acquireLease(work.pairId, key, owner, LEASE_TTL_MS, deps.now());
    if (!again) break;
    state = again;
  }
  if (writes > 0) log.info('folder synced', { pulls, changes, writes });
  return { status: 'synced', pulls, changes, writes };
}

function countWrites(result: PullResult): number {
  const a = result.stats.actions as Record<string, number | undefined>;
  return Object.entries(a)
    .filter(([action]) => /create|update|delete/.test(action))
    .reduce((sum, [, n]) => sum + (n ?? 0), 0);
}

async function failed(
  deps: WorkerDeps,
  work: WorkItem,
  state: CursorState,
  err: unknown,
  log: Logger,
): Promise<WorkOutcome> {
  const permanent = err instanceof PullFailedError ? !err.retryable : false;
  const message = err instanceof Error ? err.message : String(err);
  await deps.stores.cursors.releaseLease(await markAttempted(deps, state), message);
  await deps.stores.failures.record(work, message, permanent, deps.now());
  await deps.stores.audit.record({
    at: new Date(deps.now()).toISOString(),
    pairId: work.pairId,
    kind: work.kind,
    side: work.side,
    action: 'failure',
    reason: `${permanent ? 'permanent' : 'will retry'}: ${message}`,
  });
  log.warn('pull failed', { permanent, error: message });
  return { status: 'failed', detail: message };
}

/**
 * A pull that stored no new cursor (dry run, breaker, failure) still counts as a look at the folder: the sweep
 * waits its interval before asking again, and the failures table paces the retries. Without it every timer run
 * would pull the folder again, spending DingTalk's monthly quota on the same changes.
 */
async function markAttempted(deps: WorkerDeps, state: CursorState): Promise<CursorState> {
  return deps.stores.cursors.saveCursor({ ...state, lastSyncedAt: new Date(deps.now()).toISOString() });
}

async function clearFailure(deps: WorkerDeps, work: WorkItem): Promise<void> {
  await deps.stores.failures.settle(
    { id: '', work, attempts: 0, nextTryAt: '', lastError: '', permanent: false },
    { ok: true },
    deps.now(),
  );
}
