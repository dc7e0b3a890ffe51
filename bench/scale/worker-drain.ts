import { workerDeps } from '../../shared/app/services';
import { processWork } from '../../shared/app/worker';
import { parseWorkItem } from '../../shared/store/work-item';
import type { Deadline } from './deadline';
import type { SentWork } from './queue-tap';
import type { ScaleWorld } from './scale-world';

export interface DrainResult {
  /** Messages handed to the worker, including those it sent again itself (a busy folder's retry). */
  processed: number;
  /** The distinct folders among them. */
  folders: string[];
  /** Messages left when the cap ran out. */
  left: number;
  /** Messages the worker sent with a delay that has not passed on the app's clock: for a later run. */
  deferred: SentWork[];
  tableOperations: number;
  dingtalkMeteredCalls: number;
  graphCalls: number;
  ms: number;
}

/** Folder identity: a message names one folder of one pair. */
export const folderOf = (w: SentWork) => `${w.pairId}|${w.kind}|${w.side}|${w.folder}`;

/**
 * Plays the queue trigger: hands each message to the worker's entry point (processWork with the deps the
 * Functions app builds), `concurrency` at a time, then the messages the worker itself sent meanwhile, until none
 * is left or the cap runs out. A message the worker sends with a delay waits for the app's clock to reach it.
 */
export async function drainWithWorker(
  world: ScaleWorld,
  messages: SentWork[],
  deadline: Deadline,
  concurrency = 8,
): Promise<DrainResult> {
  const deps = workerDeps(world.app, world.services);
  const pending = [...messages];
  const folders = new Set<string>();
  const deferred: SentWork[] = [];
  const before = world.tables().requests;
  const meteredBefore = world.dingtalk.control.usage().metered;
  world.graph.control.clearRequests();
  let graphCalls = 0;
  let processed = 0;
  const started = performance.now();
  const lane = async () => {
    while (pending.length > 0 && !deadline.passed()) {
      const next = pending.shift()!;
      folders.add(folderOf(next));
      await processWork(deps, parseWorkItem(next.body)).catch(() => undefined);
      processed++;
      if (world.graph.control.requests.length > 10_000) {
        graphCalls += world.graph.control.requests.length;
        world.graph.control.clearRequests();
      }
    }
  };
  while (pending.length > 0 && !deadline.passed()) {
    await Promise.all(Array.from({ length: concurrency }, lane));
    for (const sent of world.queues.take().filter((w) => w.pairId)) {
      (sent.visibleAt <= world.clock.now() ? pending : deferred).push(sent);
    }
  }
  graphCalls += world.graph.control.requests.length;
  world.graph.control.clearRequests();
  world.dingtalk.control.clearExchanges();
  for (const sent of world.queues.take().filter((w) => w.pairId)) {
    (sent.visibleAt <= world.clock.now() ? pending : deferred).push(sent);
  }
  return {
    processed,
    folders: [...folders],
    left: pending.length,
    deferred,
    tableOperations: world.tables().requests - before,
    dingtalkMeteredCalls: world.dingtalk.control.usage().metered - meteredBefore,
    graphCalls,
    ms: Math.round(performance.now() - started),
  };
}
