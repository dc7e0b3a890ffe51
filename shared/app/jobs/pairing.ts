import type { UserPair } from '../../store/types';
import { planPairs } from '../../sync/pairing';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';

export interface PairingReport {
  paired: number;
  statusChanges: number;
  problems: number;
}

/**
 * Reads both directories and every pair, plans the pairs (shared/sync/pairing.ts) and saves only what changed, in
 * batches spread over the users table's partitions. Pairs that changed are handed to the subscription upkeep
 * (marked pending), which also queues the first sync of those that just became active: nothing waits for a scan.
 */
export async function pairingJob(deps: MaintenanceDeps): Promise<JobOutcome<PairingReport>> {
  const { users, subscriptions } = deps.stores;
  const [dingtalk, entra, existing] = await Promise.all([
    deps.directory.dingtalkPeople(),
    deps.directory.entraPeople(),
    users.list(),
  ]);
  const plan = planPairs({ dingtalk, entra, overrides: deps.overrides, existing, enabledKinds: deps.kinds });
  const byId = new Map(existing.map((p) => [p.pairId, p]));

  const changed: UserPair[] = [];
  const gainedKind = new Set<string>();
  for (const planned of plan.pairs) {
    const old = byId.get(planned.pairId);
    const next: UserPair = { ...planned, etag: old?.etag };
    if (!old || !samePair(old, next)) changed.push(next);
    if (old && old.status === 'active' && addsKind(old, next)) gainedKind.add(planned.pairId);
  }
  for (const change of plan.statusChanges) {
    const old = byId.get(change.pairId);
    if (old) changed.push({ ...old, status: change.status });
    deps.log.info('pair is no longer active', change);
  }

  const { saved, failed } = await users.saveMany(changed);
  for (const { pair, error } of failed) deps.log.warn('saving a pair failed', { pairId: pair.pairId, error });
  // Saved before marked: a crash in between leaves pairs the daily subscription audit finds out of line. A pair
  // that just became active gets its first sync from the subscription upkeep, at the upkeep's pace.
  // A kind newly enabled for an active pair needs its first sync as much as a pair that just became active.
  const started = saved.filter(
    (p) => p.status === 'active' && (byId.get(p.pairId)?.status !== 'active' || gainedKind.has(p.pairId)),
  );
  const startedIds = new Set(started.map((p) => p.pairId));
  await subscriptions.markPending(
    started.map((p) => p.pairId),
    { firstSync: true },
  );
  await subscriptions.markPending(saved.filter((p) => !startedIds.has(p.pairId)).map((p) => p.pairId));
  for (const pair of saved) {
    if (!byId.has(pair.pairId)) deps.log.info('user paired', { pairId: pair.pairId, by: pair.pairedBy });
  }
  for (const problem of plan.problems) deps.log.warn('pairing problem', { ...problem });

  const planned = new Set(plan.pairs.map((p) => p.pairId));
  return {
    report: {
      paired: saved.filter((p) => planned.has(p.pairId)).length,
      statusChanges: plan.statusChanges.length,
      problems: plan.problems.length,
    },
    // The organisation's size, for what paces itself by it (poll-cadence.ts) without counting the users table,
    // and who is left unpaired, for the status page (docs/status-page.md).
    progress: JSON.stringify({
      pairs: plan.pairs.length,
      dingtalkPeople: dingtalk.length,
      entraPeople: entra.length,
      problems: problemCounts(plan.problems),
      problemExamples: plan.problems.slice(0, 5).map((p) => p.detail),
    }),
  };
}

/** The number of pairs the last pairing run planned, from its progress note; undefined before the first run. */
export function pairsFromProgress(progress: string | undefined): number | undefined {
  if (!progress) return undefined;
  try {
    const pairs = (JSON.parse(progress) as { pairs?: unknown }).pairs;
    return typeof pairs === 'number' && Number.isInteger(pairs) && pairs >= 0 ? pairs : undefined;
  } catch {
    return undefined;
  }
}

function problemCounts(problems: ReadonlyArray<{ kind: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const problem of problems) counts[problem.kind] = (counts[problem.kind] ?? 0) + 1;
  return counts;
}

function addsKind(old: UserPair, next: UserPair): boolean {
  return next.enabledKinds.some((kind) => !old.enabledKinds.includes(kind));
}

function samePair(a: UserPair, b: UserPair): boolean {
  if (a.enabledKinds.join(',') !== b.enabledKinds.join(',')) return false;
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
