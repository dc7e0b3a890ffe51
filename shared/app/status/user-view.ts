import type { Config } from '../../platform/config';
import type { Stores } from '../../store';
import { isPaused } from '../../store/control-store';
import { utcDay } from '../../store/day';
import type { PairState } from '../../store/pair-state-store';
import { cursorKey, type FailureRecord, type UserPair } from '../../store/types';
import { isDryCursor } from '../../sync/dry-run';
import type { AuditEntry, Kind, Side } from '../../sync/types';
import { FOLDERS, isPolled } from '../folders';
import { folderStatus, type FolderStatus } from './folder-status';
import { pollIntervalOf } from './org-view';
import { findPairByIdOrAddress } from '../../store/find-pair';

/**
 * One user's folders, read when an admin asks for them. Reads: the pair (1 point read by pair id; an address walks
 * the users table, 1 query per 1,000 pairs, as `npm run admin -- pause --user` does), per enabled kind its state row
 * (1) and its links (1 query per 1,000 rows, for the first-sync figures), the pair's failures (1 query), the pause
 * switch (1), the pair's audit rows of today and yesterday (2 queries, at most RECENT_ROWS) and, when a breaker
 * stopped one of its folders, the pair's breaker rows of the last BREAKER_DAYS days (1 query a day).
 */
export const RECENT_ROWS = 200;
export const BREAKER_DAYS = 7;

export type UserStores = Pick<Stores, 'users' | 'pairState' | 'failures' | 'control' | 'audit'>;

export interface SideView {
  side: Side;
  folder: string;
  status: FolderStatus;
  why: string;
  lastSyncedAt?: string;
  lastError?: string;
  failure?: FailureRecord;
  /** Creates a pull planned and has not confirmed (crash safety). */
  pendingCreates: number;
  polled: boolean;
  /** The median lag of this user's recent writes to this side, when recorded. */
  recentLagMs?: number;
  recentLagRows: number;
  firstSync: FirstSyncView;
}

/** How far this side's first sync has got (docs/status-page.md, "First-sync progress"). */
export interface FirstSyncView {
  /** The side holds a live cursor: its first sync is over. */
  finished: boolean;
  /** Only a dry run has listed it (DRY_RUN): nothing is copied yet. */
  dryRunOnly: boolean;
  /** Items its full listing returned, and how many of them are settled; absent until a listing has ended. */
  total?: number;
  done?: number;
}

export interface KindView {
  kind: Kind;
  paused: boolean;
  /** Live links: items matched or copied between the two sides. */
  linked: number;
  /** Both sides hold a live cursor: the first sync is over. */
  firstSyncDone: boolean;
  sides: SideView[];
  /** The breaker rows of the last days, when a breaker stopped a folder of this kind. */
  breakerRows: AuditEntry[];
}

export interface UserView {
  pair: UserPair;
  now: number;
  kinds: KindView[];
  recent: AuditEntry[];
}

export async function findPair(users: UserStores['users'], query: string): Promise<UserPair | undefined> {
  const q = query.trim();
  return q ? findPairByIdOrAddress(users, q) : undefined;
}

export async function readUserView(deps: {
  stores: UserStores;
  config: Pick<Config, 'kinds' | 'mail' | 'todo' | 'contacts'>;
  pair: UserPair;
  now: number;
}): Promise<UserView> {
  const { stores, pair, now } = deps;
  const kinds = pair.enabledKinds.filter((k) => deps.config.kinds.includes(k));
  const [failures, control, recent] = await Promise.all([
    stores.failures.listForPair(pair.pairId),
    stores.control.read(),
    stores.audit.search(
      { fromDay: utcDay(now - 86_400_000), toDay: utcDay(now), pairId: pair.pairId },
      RECENT_ROWS,
    ),
  ]);
  const views = await Promise.all(
    kinds.map(async (kind): Promise<KindView> => {
      const [{ state }, links] = await Promise.all([
        stores.pairState.load(pair.pairId, kind),
        stores.pairState.listLinks(pair.pairId, kind),
      ]);
      const sides = (['dingtalk', 'outlook'] as const).map((side) =>
        sideView(deps.config, state, kind, side, failures, recent, now),
      );
      const stopped = sides.some(
        (s) => s.failure?.permanent && /bulk-delete breaker/i.test(s.failure.lastError),
      );
      return {
        kind,
        paused: isPaused(control, pair.pairId, kind),
        linked: links.filter((l) => !l.tombstone && !l.undone && l.dingtalkId && l.outlookId).length,
        firstSyncDone: sides.every((s) => s.firstSync.finished),
        sides,
        breakerRows: stopped ? await breakerRows(stores, pair.pairId, kind, now) : [],
      };
    }),
  );
  return { pair, now, kinds: views, recent };
}

function sideView(
  config: Pick<Config, 'mail' | 'todo' | 'contacts'>,
  state: PairState,
  kind: Kind,
  side: Side,
  failures: FailureRecord[],
  recent: AuditEntry[],
  now: number,
): SideView {
  const folder = FOLDERS[kind][side];
  const failure = failures.find((f) => cursorKey(f.work) === cursorKey({ kind, side, folder }));
  const stored = state.etag ? state.sides[side] : undefined;
  const polled = isPolled(kind, side);
  const { status, why } = folderStatus({
    side: stored,
    intents: state.intents.filter((i) => i.targetSide === side).length,
    leaseUntil: state.leaseUntil,
    failure,
    pollEveryMs: polled ? pollIntervalOf(config, kind) : undefined,
    now,
  });
  const lags = recent
    .filter((r) => r.kind === kind && r.side === side && typeof r.lagMs === 'number')
    .map((r) => r.lagMs!);
  return {
    side,
    folder,
    status,
    why,
    lastSyncedAt: stored?.lastSyncedAt,
    lastError: failure?.lastError ?? stored?.lastError,
    failure,
    pendingCreates: state.intents.filter((i) => i.targetSide === side).length,
    polled,
    recentLagMs: median(lags),
    recentLagRows: lags.length,
    firstSync: {
      finished: stored?.cursor !== undefined && !isDryCursor(stored.cursor),
      dryRunOnly: isDryCursor(stored?.cursor),
      total: stored?.firstSyncTotal,
      done: stored?.firstSyncDone,
    },
  };
}

async function breakerRows(
  stores: UserStores,
  pairId: string,
  kind: Kind,
  now: number,
): Promise<AuditEntry[]> {
  return stores.audit.search(
    {
      fromDay: utcDay(now - (BREAKER_DAYS - 1) * 86_400_000),
      toDay: utcDay(now),
      pairId,
      kind,
      action: 'breaker',
    },
    10,
  );
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
