import { toUserRef } from '../../store/repositories';
import type { UserPair } from '../../store/types';
import { SWEEP_SLOTS } from '../../store/user-repository';
import type { Side } from '../../sync/types';
import type { LineAction, UndoLine } from './plan';
import type { UndoScope } from './selection';
import { applyPair, listPair, type PairUndoDeps } from './undo-pair';

/**
 * Undo over one user or the whole organisation, pair by pair (docs/undo.md). Memory stays bounded at 10,000 users:
 * the dry run reads the users one table partition (720 sweep slots) at a time, the apply reads its plan one
 * (pair, kind) group at a time, and at most `concurrency` pairs are worked on at once. Remote calls go through
 * the app's own adapters, so DingTalk's per-second limiter and monthly budget apply to undo as to sync.
 */

export interface UndoRunDeps extends PairUndoDeps {
  users: {
    get(pairId: string): Promise<UserPair | undefined>;
    listSlots(from: number, to: number): Promise<UserPair[]>;
    /** Every pair: only to find one by address. */
    list(): Promise<UserPair[]>;
  };
  /** Pairs worked on at once (default 4). */
  concurrency?: number;
}

export interface UndoSummary {
  /** Lines by action. */
  actions: Record<LineAction, number>;
  /** `remove` / `removed` lines by the side the copy is on. */
  bySide: Record<Side, number>;
  /** Pairs that had at least one line. */
  pairs: number;
  /** Links in scope written before origins were recorded (dry run). */
  unknown: number;
  /** Copies an earlier undo removed (dry run). */
  done: number;
}

export type Emit = (lines: UndoLine[]) => Promise<void> | void;

/** One users partition of the sweep slots (user-repository.ts): a step reads one partition. */
const SLOTS_PER_STEP = 720;
const DEFAULT_CONCURRENCY = 4;

export function emptySummary(): UndoSummary {
  return {
    actions: { remove: 0, gone: 0, skip: 0, removed: 0, failed: 0 },
    bySide: { dingtalk: 0, outlook: 0 },
    pairs: 0,
    unknown: 0,
    done: 0,
  };
}

/** The dry run: lists what would go, pair by pair, and emits each pair's lines together. */
export async function dryRunUndo(
  deps: UndoRunDeps,
  scope: UndoScope,
  who: { pairId: string } | 'all',
  emit: Emit,
): Promise<UndoSummary> {
  const summary = emptySummary();
  const one = async (pair: UserPair) => {
    const listing = await listPair(deps, toUserRef(pair), scope);
    summary.unknown += listing.unknown;
    summary.done += listing.done;
    await tally(summary, listing.lines, emit);
  };
  if (who !== 'all') {
    const pair = await deps.users.get(who.pairId);
    if (pair) await one(pair);
    return summary;
  }
  for (let from = 0; from < SWEEP_SLOTS; from += SLOTS_PER_STEP) {
    const pairs = await deps.users.listSlots(from, Math.min(SWEEP_SLOTS, from + SLOTS_PER_STEP));
    await inPool(pairs, deps.concurrency ?? DEFAULT_CONCURRENCY, one);
  }
  return summary;
}

/** The apply: follows the plan's groups, removing only what they list as `remove` or `gone`. */
export async function applyUndo(
  deps: UndoRunDeps,
  scope: UndoScope,
  groups: AsyncIterable<UndoLine[]>,
  emit: Emit,
): Promise<UndoSummary> {
  const summary = emptySummary();
  const one = async (lines: UndoLine[]) => {
    const pair = await deps.users.get(lines[0].pairId);
    const done = pair
      ? await applyPair(deps, toUserRef(pair), scope, lines)
      : lines.map((line) => ({ ...line, action: 'failed' as const, reason: 'no paired user with this id' }));
    await tally(summary, done, emit);
  };
  await inPool(groups, deps.concurrency ?? DEFAULT_CONCURRENCY, one);
  return summary;
}

async function tally(summary: UndoSummary, lines: UndoLine[], emit: Emit): Promise<void> {
  if (lines.length === 0) return;
  summary.pairs += 1;
  for (const line of lines) {
    summary.actions[line.action] += 1;
    if (line.action === 'remove' || line.action === 'removed') summary.bySide[line.side] += 1;
  }
  await emit(lines);
}

/** At most `limit` tasks at once over a list or a stream; the first error is thrown once all started ones settled. */
async function inPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const run = task(item).catch((error: unknown) => {
      failure ??= { error };
    });
    const tracked = run.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
