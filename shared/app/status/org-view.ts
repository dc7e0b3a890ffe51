import type { Config } from '../../platform/config';
import type { Stores } from '../../store';
import { forEachBounded } from '../../store/bounded';
import { utcDay } from '../../store/day';
import { cursorKey, type FailureRecord, type UserPair } from '../../store/types';
import type { Kind, Side } from '../../sync/types';
import { FOLDERS, isPolled } from '../folders';
import { dingtalkUsage, type DingTalkUsage } from './dingtalk-usage';
import { folderStatus, type FolderStatus } from './folder-status';
import { isThrottling } from './plain-errors';

/**
 * What the organisation view shows, read on demand when an admin opens the page (never on a timer). Its reads:
 *
 * - the users table, whole (1 query per 1,000 pairs: 10 at 10,000 users) for the pairs by status and kind;
 * - the pairing job's row (1 read) for who is left unpaired;
 * - the failures table up to MAX_FAILURES rows (1 query per 1,000), which holds only failing folders;
 * - the state rows of at most STATE_SAMPLE folders (one point read each, 16 at a time), spread evenly over the
 *   pairs: the in-sync / behind / first-sync split is counted on them and said to be a sample when it is one;
 * - the month's DingTalk call count (1 read);
 * - the audit's failure rows of today and yesterday (UTC), at most MAX_AUDIT_FAILURES, for Graph throttling.
 *
 * The counts of failing and waiting folders come from the failures table and are exact up to MAX_FAILURES.
 */
export const STATE_SAMPLE = 2_000;
export const MAX_FAILURES = 5_000;
export const MAX_AUDIT_FAILURES = 1_000;
export const RECENT_FAILURES_SHOWN = 20;
const READ_CONCURRENCY = 16;

export type OrgStores = Pick<Stores, 'users' | 'jobs' | 'failures' | 'pairState' | 'dingtalkCalls' | 'audit'>;

export interface OrgViewDeps {
  stores: OrgStores;
  config: Pick<Config, 'kinds' | 'dingtalk' | 'mail' | 'todo' | 'contacts'>;
  now: number;
}

export interface PairingSummary {
  lastRunAt?: number;
  dingtalkPeople?: number;
  entraPeople?: number;
  planned?: number;
  problems: Record<string, number>;
  problemExamples: string[];
}

export type StatusCounts = Record<FolderStatus, number>;

export interface KindSummary {
  kind: Kind;
  side: Side;
  /** Folders of active pairs with the kind enabled. */
  folders: number;
  /** Exact, from the failures table. */
  failing: number;
  admin: number;
  /** Counted on the sampled state rows. */
  sampled: StatusCounts;
}

export interface OrgView {
  now: number;
  pairs: { total: number; active: number; disabled: number; left: number };
  pairing: PairingSummary;
  kinds: KindSummary[];
  /** Folders whose state rows were read for the split; equal to all folders when the org is small. */
  sampledFolders: number;
  totalFolders: number;
  failuresRead: number;
  failuresCapped: boolean;
  recentFailures: Array<FailureRecord & { email?: string }>;
  dingtalk: DingTalkUsage;
  throttling: { graphFailures24h: number; graphFailingNow: number; auditRowsRead: number; capped: boolean };
}

export async function readOrgView(deps: OrgViewDeps): Promise<OrgView> {
  const { stores, config, now } = deps;
  const [pairs, pairingJob, failures, dingtalk, auditFailures] = await Promise.all([
    stores.users.list(),
    stores.jobs.read('pairing'),
    stores.failures.list(MAX_FAILURES + 1),
    dingtalkUsage(stores.dingtalkCalls, config.dingtalk.monthlyCallQuota, now),
    recentAuditFailures(stores, now),
  ]);
  const failuresCapped = failures.length > MAX_FAILURES;
  const failureRows = failures.slice(0, MAX_FAILURES);
  const byKey = new Map(failureRows.map((f) => [`${f.work.pairId}|${cursorKey(f.work)}`, f]));
  const active = pairs.filter((p) => p.status === 'active');

  const folders = active.flatMap((pair) =>
    pair.enabledKinds.filter((kind) => config.kinds.includes(kind)).map((kind) => ({ pair, kind })),
  );
  const step = Math.max(1, Math.ceil(folders.length / STATE_SAMPLE));
  const sample = folders.filter((_, i) => i % step === 0).slice(0, STATE_SAMPLE);
  const summaries = new Map<string, KindSummary>();
  const summaryOf = (kind: Kind, side: Side) => {
    const key = `${kind}|${side}`;
    let summary = summaries.get(key);
    if (!summary) {
      summary = { kind, side, folders: 0, failing: 0, admin: 0, sampled: emptyCounts() };
      summaries.set(key, summary);
    }
    return summary;
  };
  for (const kind of config.kinds) for (const side of SIDES) summaryOf(kind, side);
  for (const { kind } of folders) for (const side of SIDES) summaryOf(kind, side).folders += 1;
  const activeIds = new Set(active.map((p) => p.pairId));
  for (const failure of failureRows) {
    if (!activeIds.has(failure.work.pairId) || !config.kinds.includes(failure.work.kind)) continue;
    const summary = summaryOf(failure.work.kind, failure.work.side);
    if (failure.permanent) summary.admin += 1;
    else summary.failing += 1;
  }
  await forEachBounded(sample, READ_CONCURRENCY, async ({ pair, kind }) => {
    const { state } = await stores.pairState.load(pair.pairId, kind);
    for (const side of SIDES) {
      const failure = byKey.get(`${pair.pairId}|${cursorKey({ kind, side, folder: FOLDERS[kind][side] })}`);
      const { status } = folderStatus({
        side: state.etag ? state.sides[side] : undefined,
        intents: state.intents.length,
        leaseUntil: state.leaseUntil,
        failure,
        pollEveryMs: isPolled(kind, side) ? pollIntervalOf(config, kind) : undefined,
        now,
      });
      summaryOf(kind, side).sampled[status] += 1;
    }
  });

  const emails = new Map(pairs.map((p) => [p.pairId, p.email]));
  const recentFailures = [...failureRows]
    .sort((a, b) => Number(b.permanent) - Number(a.permanent) || b.nextTryAt.localeCompare(a.nextTryAt))
    .slice(0, RECENT_FAILURES_SHOWN)
    .map((f) => ({ ...f, email: emails.get(f.work.pairId) }));

  return {
    now,
    pairs: countPairs(pairs),
    pairing: pairingSummary(pairingJob),
    kinds: [...summaries.values()],
    sampledFolders: sample.length,
    totalFolders: folders.length,
    failuresRead: failureRows.length,
    failuresCapped,
    recentFailures,
    dingtalk,
    throttling: {
      graphFailures24h: auditFailures.rows.filter((r) => r.side === 'outlook' && isThrottling(r.reason))
        .length,
      graphFailingNow: failureRows.filter((f) => f.work.side === 'outlook' && isThrottling(f.lastError))
        .length,
      auditRowsRead: auditFailures.rows.length,
      capped: auditFailures.capped,
    },
  };
}

const SIDES: readonly Side[] = ['dingtalk', 'outlook'];

const emptyCounts = (): StatusCounts => ({ 'in-sync': 0, 'first-sync': 0, behind: 0, failing: 0, admin: 0 });

export function pollIntervalOf(
  config: Pick<Config, 'mail' | 'todo' | 'contacts'>,
  kind: Kind,
): number | undefined {
  if (kind === 'mail' || kind === 'sentmail') return config.mail.pollIntervalMs;
  if (kind === 'todo') return config.todo.pollIntervalMs;
  if (kind === 'contact') return config.contacts.pollIntervalMs;
  return undefined;
}

function countPairs(pairs: UserPair[]): OrgView['pairs'] {
  const by = (status: UserPair['status']) => pairs.filter((p) => p.status === status).length;
  return { total: pairs.length, active: by('active'), disabled: by('disabled'), left: by('left') };
}

function pairingSummary(job: { lastRunAt?: number; progress?: string } | undefined): PairingSummary {
  const summary: PairingSummary = { lastRunAt: job?.lastRunAt, problems: {}, problemExamples: [] };
  if (!job?.progress) return summary;
  try {
    const note = JSON.parse(job.progress) as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    summary.planned = num(note.pairs);
    summary.dingtalkPeople = num(note.dingtalkPeople);
    summary.entraPeople = num(note.entraPeople);
    if (note.problems && typeof note.problems === 'object') {
      for (const [kind, n] of Object.entries(note.problems)) {
        const value = num(n);
        if (value !== undefined) summary.problems[kind] = value;
      }
    }
    if (Array.isArray(note.problemExamples)) {
      summary.problemExamples = note.problemExamples.filter((e): e is string => typeof e === 'string');
    }
  } catch {
    // A note from an older version: only the last run's time is shown.
  }
  return summary;
}

/** Failure rows of today and yesterday (UTC), newest first, at most MAX_AUDIT_FAILURES: 2 queries. */
async function recentAuditFailures(
  stores: OrgStores,
  now: number,
): Promise<{ rows: Array<{ side?: Side; reason: string; at: string }>; capped: boolean }> {
  const since = new Date(now - 86_400_000).toISOString();
  const rows = await stores.audit.search(
    { fromDay: utcDay(now - 86_400_000), toDay: utcDay(now), action: 'failure' },
    MAX_AUDIT_FAILURES + 1,
  );
  const recent = rows.filter((r) => r.at >= since);
  return { rows: recent.slice(0, MAX_AUDIT_FAILURES), capped: rows.length > MAX_AUDIT_FAILURES };
}
