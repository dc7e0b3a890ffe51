import { randomUUID } from 'node:crypto';
import type { Logger } from '../platform/logger';
import type { Stores } from '../store';
import { utcDay } from '../store/day';
import { cursorKey, type CursorState, type UserPair, type WorkItem } from '../store/types';
import { planPairs, type DingTalkPerson, type EntraPerson, type PairOverride } from '../sync/pairing';
import type { Kind, Side } from '../sync/types';
import { DIRECTORY_KEY, DIRECTORY_PAIR } from './hints';
import {
  maintainSubscriptions,
  type SubscriptionManagerDeps,
  type SubscriptionRunReport,
} from './subscriptions';

export interface DirectorySources {
  dingtalkPeople(): Promise<DingTalkPerson[]>;
  entraPeople(): Promise<EntraPerson[]>;
}

/** The folder each side of a kind syncs: the worker and the sweep must agree on it. */
export const FOLDERS: Record<Kind, Record<Side, string>> = {
  calendar: { dingtalk: 'primary', outlook: 'calendar' },
  mail: { dingtalk: 'INBOX', outlook: 'inbox' },
  todo: { dingtalk: 'tasks', outlook: 'dingtalk' },
  contact: { dingtalk: 'extcontacts', outlook: 'dingtalk' },
};

export interface MaintenanceSchedule {
  /** Full directory read and re-pairing, besides whenever a directory callback arrived. */
  pairingIntervalMs: number;
  /** Safety sweep per folder on the Outlook side (Graph has no monthly quota). */
  outlookSweepIntervalMs: number;
  /** Safety sweep per folder on the DingTalk side: metered calls, so rarer (reference/dingtalk.md §9). */
  dingtalkSweepIntervalMs: number;
}

export interface MaintenanceDeps {
  stores: Pick<
    Stores,
    'users' | 'cursors' | 'failures' | 'workQueue' | 'subscriptions' | 'audit' | 'deliveries'
  >;
  directory: DirectorySources;
  subscriptions: Omit<SubscriptionManagerDeps, 'users' | 'subscriptions' | 'workQueue' | 'log' | 'now'>;
  overrides: PairOverride[];
  schedule: MaintenanceSchedule;
  log: Logger;
  now: () => number;
}

export interface MaintenanceReport {
  pairing?: { paired: number; statusChanges: number; problems: number } | 'skipped' | 'failed';
  subscriptions?: SubscriptionRunReport | 'failed';
  enqueued: { sweep: number; dirty: number; retry: number };
  purged?: { audit: number; deliveries: number };
}

/** Every step runs even when an earlier one failed: one broken service must not stop renewals of the other. */
export async function runMaintenance(deps: MaintenanceDeps): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { enqueued: { sweep: 0, dirty: 0, retry: 0 } };
  try {
    report.pairing = await pairIfDue(deps);
  } catch (err) {
    report.pairing = 'failed';
    deps.log.error('pairing failed', { error: err });
  }
  try {
    report.subscriptions = await maintainSubscriptions({
      ...deps.subscriptions,
      users: deps.stores.users,
      subscriptions: deps.stores.subscriptions,
      workQueue: deps.stores.workQueue,
      log: deps.log,
      now: deps.now,
    });
  } catch (err) {
    report.subscriptions = 'failed';
    deps.log.error('subscription maintenance failed', { error: err });
  }
  try {
    await sweep(deps, report);
    await retryDueFailures(deps, report);
  } catch (err) {
    deps.log.error('sweep or retry failed', { error: err });
  }
  try {
    report.purged = await purgeIfDue(deps);
  } catch (err) {
    deps.log.error('retention purge failed', { error: err });
  }
  return report;
}

/** The retention row: like the directory row, a cursor row whose lastSyncedAt says when the purge last ran. */
const RETENTION_KEY = 'retention';
const PURGE_INTERVAL_MS = 24 * 3600e3;
/** Delivery ids are only needed while senders retry (Graph: 4 h); two days is ample. */
const DELIVERY_RETENTION_MS = 2 * 24 * 3600e3;

/** Once a day: audit rows older than 365 days and delivery ids older than two days go. */
async function purgeIfDue(deps: MaintenanceDeps): Promise<MaintenanceReport['purged']> {
  const now = deps.now();
  const row = await deps.stores.cursors.get(DIRECTORY_PAIR, RETENTION_KEY);
  if (row?.lastSyncedAt && now - Date.parse(row.lastSyncedAt) < PURGE_INTERVAL_MS) return undefined;
  const lease = await deps.stores.cursors.acquireLease(
    DIRECTORY_PAIR,
    RETENTION_KEY,
    randomUUID(),
    10 * 60_000,
    now,
  );
  if (!lease) return undefined;
  try {
    const audit = await deps.stores.audit.purgeExpired(now);
    const deliveries = await deps.stores.deliveries.purgeBefore(utcDay(now - DELIVERY_RETENTION_MS));
    await deps.stores.cursors.saveCursor({ ...lease, lastSyncedAt: new Date(now).toISOString() });
    if (audit + deliveries > 0) deps.log.info('retention purge', { audit, deliveries });
    return { audit, deliveries };
  } finally {
    const fresh = await deps.stores.cursors.get(DIRECTORY_PAIR, RETENTION_KEY);
    if (fresh) await deps.stores.cursors.releaseLease(fresh);
  }
}

async function pairIfDue(deps: MaintenanceDeps): Promise<MaintenanceReport['pairing']> {
  const now = deps.now();
  const row = await deps.stores.cursors.get(DIRECTORY_PAIR, DIRECTORY_KEY);
  const last = row?.lastSyncedAt ? Date.parse(row.lastSyncedAt) : 0;
  if (!row?.dirty && now - last < deps.schedule.pairingIntervalMs) return 'skipped';
  const owner = randomUUID();
  const lease = await deps.stores.cursors.acquireLease(
    DIRECTORY_PAIR,
    DIRECTORY_KEY,
    owner,
    10 * 60_000,
    now,
  );
  if (!lease) return 'skipped';
  try {
    const [dingtalk, entra, existing] = await Promise.all([
      deps.directory.dingtalkPeople(),
      deps.directory.entraPeople(),
      deps.stores.users.list(),
    ]);
    const plan = planPairs({ dingtalk, entra, overrides: deps.overrides, existing });
    const byId = new Map(existing.map((p) => [p.pairId, p]));
    let saved = 0;
    for (const planned of plan.pairs) {
      const old = byId.get(planned.pairId);
      const next: UserPair = {
        ...planned,
        enabledKinds: old?.enabledKinds ?? planned.enabledKinds,
        etag: old?.etag,
      };
      if (old && samePair(old, next)) continue;
      await deps.stores.users.save(next);
      saved++;
      if (!old) deps.log.info('user paired', { pairId: next.pairId, by: next.pairedBy });
    }
    for (const change of plan.statusChanges) {
      const old = byId.get(change.pairId);
      if (old) await deps.stores.users.save({ ...old, status: change.status });
      deps.log.info('pair is no longer active', change);
    }
    for (const problem of plan.problems) deps.log.warn('pairing problem', { ...problem });
    await deps.stores.cursors.saveCursor({ ...lease, lastSyncedAt: new Date(now).toISOString() });
    return { paired: saved, statusChanges: plan.statusChanges.length, problems: plan.problems.length };
  } catch (err) {
    // Taking the lease cleared the dirty flag a directory callback set: put it back so the next run pairs again.
    await deps.stores.cursors.markDirty(DIRECTORY_PAIR, DIRECTORY_KEY);
    throw err;
  } finally {
    const fresh = await deps.stores.cursors.get(DIRECTORY_PAIR, DIRECTORY_KEY);
    if (fresh) await deps.stores.cursors.releaseLease(fresh);
  }
}

function samePair(a: UserPair, b: UserPair): boolean {
  const fields: (keyof UserPair)[] = [
    'dingtalkUserId',
    'dingtalkUnionId',
    'entraId',
    'userPrincipalName',
    'email',
    'status',
    'pairedBy',
  ];
  return fields.every((f) => a[f] === b[f]);
}

/**
 * Turns folders into pulls: a dirty folder nobody is pulling (its hint's queue message was lost or skipped), a
 * folder never synced (a new pair: its first sync), and every folder whose last sync is older than its side's
 * safety-sweep interval (notifications can be lost for good: reference/graph.md §0.3).
 */
async function sweep(deps: MaintenanceDeps, report: MaintenanceReport): Promise<void> {
  const now = deps.now();
  const cursors = new Map<string, CursorState>();
  for (const c of await deps.stores.cursors.listAll()) cursors.set(`${c.pairId}|${c.key}`, c);
  for (const pair of await deps.stores.users.list()) {
    if (pair.status !== 'active') continue;
    for (const kind of pair.enabledKinds) {
      for (const side of ['dingtalk', 'outlook'] as const) {
        const work: WorkItem = {
          pairId: pair.pairId,
          kind,
          side,
          folder: FOLDERS[kind][side],
          reason: 'sweep',
        };
        const state = cursors.get(`${pair.pairId}|${cursorKey(work)}`);
        const leased = state?.leaseUntil !== undefined && state.leaseUntil > now;
        if (leased) continue;
        const interval =
          side === 'dingtalk' ? deps.schedule.dingtalkSweepIntervalMs : deps.schedule.outlookSweepIntervalMs;
        const last = state?.lastSyncedAt ? Date.parse(state.lastSyncedAt) : 0;
        if (state?.dirty) {
          await deps.stores.workQueue.enqueue({ ...work, reason: 'dirty' });
          report.enqueued.dirty++;
        } else if (now - last >= interval) {
          await deps.stores.workQueue.enqueue(work);
          report.enqueued.sweep++;
        }
      }
    }
  }
}

async function retryDueFailures(deps: MaintenanceDeps, report: MaintenanceReport): Promise<void> {
  for (const failure of await deps.stores.failures.due(deps.now(), 100)) {
    await deps.stores.workQueue.enqueue({ ...failure.work, reason: 'retry' });
    report.enqueued.retry++;
  }
}
