import type { WorkItem } from '../../store/types';
import type { Kind, Side } from '../../sync/types';
import { hintedItems } from './hint-group-commit';
import { sameVersion } from './hint-versions';

/** What one instance remembers of its own recent work, so that the hints it caused cost no table read. */
export const RECENT_WRITES_TTL_MS = 10 * 60_000;
/** Bounded so that a busy instance's memory stays flat; the oldest entries go first. */
export const RECENT_WRITES_MAX = 50_000;

const DELETED = '\u0000deleted';
/** As many as one query can read besides the state row (pair-state-store.ts, MAX_KEYS_PER_QUERY). */
const LATEST_PER_PAIR = 13;

interface Entry {
  version: string;
  at: number;
  /** DingTalk: the exact update time (ms) of the callback taken as this write's echo. */
  echoMs?: number;
}

/**
 * The versions this instance wrote (its echoes) and when each folder's last committed pull began listing (hints
 * older than that are covered). Purely an optimisation: a hint it does not recognise goes on to the state row,
 * which holds the same facts durably.
 */
export class RecentWrites {
  private readonly writes = new Map<string, Entry>();
  /** Per pair and kind, the latest items written (newest last), so a pull finds them without a scan. */
  private readonly latest = new Map<string, Array<{ side: Side; id: string }>>();
  private readonly listings = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  wrote(pairId: string, kind: Kind, side: Side, id: string, version: string | undefined): void {
    const key = `${pairId}|${kind}|${side}|${id}`;
    this.writes.delete(key);
    this.writes.set(key, { version: version ?? DELETED, at: this.now() });
    if (this.writes.size > RECENT_WRITES_MAX) this.writes.delete(this.writes.keys().next().value!);
    const pairKey = `${pairId}|${kind}`;
    const items = (this.latest.get(pairKey) ?? []).filter((i) => i.side !== side || i.id !== id);
    items.push({ side, id });
    this.latest.delete(pairKey);
    this.latest.set(pairKey, items.slice(-LATEST_PER_PAIR));
    if (this.latest.size > RECENT_WRITES_MAX) this.latest.delete(this.latest.keys().next().value!);
  }

  /** A hint naming an item and version (or deletion) that this instance wrote itself. */
  isOwnWrite(hint: {
    pairId: string;
    kind: Kind;
    side: Side;
    itemId?: string;
    version?: string;
    deleted?: boolean;
  }): boolean {
    if (!hint.itemId) return false;
    const entry = this.writes.get(`${hint.pairId}|${hint.kind}|${hint.side}|${hint.itemId}`);
    if (!entry || this.now() - entry.at > RECENT_WRITES_TTL_MS) return false;
    if (hint.deleted) return entry.version === DELETED;
    if (!sameVersion(hint.side, entry.version, hint.version)) return false;
    if (hint.side === 'outlook') return true;
    // DingTalk's API gives our write's update time to the second, its callback to the millisecond: the first
    // callback in that second is our echo, and any other time in the same second is somebody's edit.
    const ms = Number(hint.version);
    if (entry.echoMs === undefined) entry.echoMs = ms;
    return entry.echoMs === ms;
  }

  /**
   * The items of one pair and kind this instance wrote lately, newest first. Their echoes show up in the next
   * listing of their folder (a suppressed hint leaves the cursor behind them), so the worker reads their links
   * with the state row instead of one more query.
   */
  recentItems(pairId: string, kind: Kind, limit: number): Array<{ side: Side; id: string }> {
    return (this.latest.get(`${pairId}|${kind}`) ?? [])
      .filter(({ side, id }) => {
        const entry = this.writes.get(`${pairId}|${kind}|${side}|${id}`);
        return entry !== undefined && this.now() - entry.at <= RECENT_WRITES_TTL_MS;
      })
      .reverse()
      .slice(0, limit);
  }

  listed(pairId: string, kind: Kind, side: Side, at: number): void {
    this.listings.set(`${pairId}|${kind}|${side}`, at);
    if (this.listings.size > RECENT_WRITES_MAX) this.listings.delete(this.listings.keys().next().value!);
  }

  lastListedAt(pairId: string, kind: Kind, side: Side): number | undefined {
    return this.listings.get(`${pairId}|${kind}|${side}`);
  }
}

/** One memory per process and state store: the worker writes it, and the webhooks read it too. */
const instances = new WeakMap<object, RecentWrites>();

export function recentWritesOf(store: object, now: () => number): RecentWrites {
  let recent = instances.get(store);
  if (!recent) instances.set(store, (recent = new RecentWrites(now)));
  return recent;
}

/** The memory, if this process has one for the store (a process that never ran the worker has none). */
export function knownRecentWrites(store: object): RecentWrites | undefined {
  return instances.get(store);
}

/** Every item the hint names is the echo of this instance's own write (a hint naming none never is). */
export function isEchoOfOwnWrites(recent: RecentWrites, work: WorkItem): boolean {
  const items = hintedItems(work);
  return items.length > 0 && items.every((item) => recent.isOwnWrite({ ...work, ...item }));
}
