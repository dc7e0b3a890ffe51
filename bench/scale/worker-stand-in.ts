import { round } from '../support/stats';
import { deadlineIn, soonest, type Deadline } from './deadline';
import type { RunSample } from './maintenance-run';
import type { SentWork } from './queue-tap';
import type { ScaleWorld } from './scale-world';
import { drainWithWorker, folderOf, type DrainResult } from './worker-drain';

export interface FirstSyncFigure {
  /** People whose folders got their first sync from the worker, and every person paired. */
  users: number;
  of: number;
  foldersSynced: number;
  /** Every queued first sync was served (false: the worker's share of the cap ran out first). */
  complete: boolean;
  tableOperationsPerUser: number | null;
  dingtalkMeteredCallsPerUser: number | null;
  graphCallsPerUser: number | null;
  ms: number;
}

export interface LaterCost {
  messages: number;
  tableOperations: number;
  /** Messages served after each run: polls the worker scheduled show up here rather than in what a run sent. */
  messagesPerRun: number[];
}

export interface WorkerStandIn {
  /** Serves what a run queued: every message of a folder synced before, and first syncs while the share lasts. */
  afterRun(run: RunSample): Promise<void>;
  /** Folders synced at least once. */
  synced(): number;
  /** The worker's cost outside first syncs (sweeps and polls of synced folders, retries), since the last reading. */
  takeLaterCost(): LaterCost;
  firstSync(): FirstSyncFigure;
}

/**
 * The queue trigger's part, played in this process so the bench can move time: the real worker serves the
 * queued messages between two timer runs. First syncs cost far more than the timer's own work, so they get a
 * share of the phase's cap; messages of folders never synced that come after it are counted and dropped, and
 * the figures say how many folders were synced.
 */
export function createWorkerStandIn(
  world: ScaleWorld,
  deadline: Deadline,
  firstSyncShareMs: number,
): WorkerStandIn {
  const syncedFolders = new Set<string>();
  const pairsSynced = new Set<string>();
  let firstSyncCap: Deadline | undefined;
  const first = { tableOperations: 0, metered: 0, graph: 0, ms: 0, left: 0 };
  const later: LaterCost = { messages: 0, tableOperations: 0, messagesPerRun: [] };
  let waiting: SentWork[] = [];

  const remember = (result: DrainResult, messages: SentWork[]) => {
    for (const f of result.folders) syncedFolders.add(f);
    for (const m of messages) if (syncedFolders.has(folderOf(m))) pairsSynced.add(m.pairId);
  };

  return {
    async afterRun(run) {
      const now = world.clock.now();
      const all = [...waiting, ...run.sent.filter((m) => m.pairId)];
      const visible = all.filter((m) => m.visibleAt <= now);
      waiting = all.filter((m) => m.visibleAt > now);
      const known = visible.filter((m) => syncedFolders.has(folderOf(m)));
      const fresh = visible.filter((m) => !syncedFolders.has(folderOf(m)));
      let served = 0;
      if (known.length > 0) {
        const result = await drainWithWorker(world, known, deadline);
        waiting.push(...result.deferred);
        served = result.processed;
        later.messages += result.processed;
        later.tableOperations += result.tableOperations;
      }
      later.messagesPerRun.push(served);
      firstSyncCap ??= deadlineIn(firstSyncShareMs);
      if (fresh.length > 0 && !firstSyncCap.passed()) {
        const result = await drainWithWorker(world, fresh, soonest(deadline, firstSyncCap));
        waiting.push(...result.deferred);
        remember(result, fresh);
        first.tableOperations += result.tableOperations;
        first.metered += result.dingtalkMeteredCalls;
        first.graph += result.graphCalls;
        first.ms += result.ms;
        first.left = result.left;
      } else if (fresh.length > 0) {
        first.left = new Set(fresh.map(folderOf)).size;
      }
      await world.queues.clear();
    },
    synced: () => syncedFolders.size,
    takeLaterCost() {
      const cost = { ...later };
      later.messages = 0;
      later.tableOperations = 0;
      later.messagesPerRun = [];
      return cost;
    },
    firstSync() {
      const users = pairsSynced.size;
      const per = (n: number) => (users > 0 ? round(n / users, 2) : null);
      return {
        users,
        of: world.people.length,
        foldersSynced: syncedFolders.size,
        complete: first.left === 0 && users > 0,
        tableOperationsPerUser: per(first.tableOperations),
        dingtalkMeteredCallsPerUser: per(first.metered),
        graphCallsPerUser: per(first.graph),
        ms: first.ms,
      };
    },
  };
}
