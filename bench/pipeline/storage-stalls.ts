import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../../shared/app/context';
import { SYNC_WORK_QUEUE } from '../../shared/store/work-queue';

/** A stretch of time (performance.now() ms) in which one probe of a storage service took longer than the threshold. */
export interface StorageStall {
  startMs: number;
  endMs: number;
  /** The service that did not answer: Azurite runs each in a process of its own (sandbox/azurite.ts). */
  service: 'table' | 'queue';
}

export interface StallWatch {
  stalls(): StorageStall[];
  /** Whether [startMs, endMs] overlaps a stall seen so far. */
  overlaps(startMs: number, endMs: number): boolean;
  stop(): Promise<void>;
}

/**
 * Azurite's queue stops answering for seconds when its garbage collector runs (every 60 s, over every message ever
 * written; measured: 9 s after 3,000 messages). That is the emulator, not the app, so the bench watches for it
 * with one cheap probe of each service every intervalMs (a table point read, the queue's properties), and reports
 * the samples it touched besides the raw figures.
 */
export function watchStorageStalls(observer: AppContext, intervalMs = 100, thresholdMs = 500): StallWatch {
  const found: StorageStall[] = [];
  let running = true;
  const probe = async (service: StorageStall['service'], read: () => Promise<unknown>) => {
    const startMs = performance.now();
    await read().catch(() => undefined);
    const endMs = performance.now();
    if (endMs - startMs > thresholdMs) found.push({ startMs, endMs, service });
  };
  const loop = (async () => {
    const queue = await observer.storage.queue(SYNC_WORK_QUEUE);
    while (running) {
      await Promise.all([
        probe('table', () =>
          observer.stores.pairState.findLink('_stall-probe', 'calendar', 'outlook', 'probe'),
        ),
        probe('queue', () => queue.getProperties()),
      ]);
      await sleep(intervalMs);
    }
  })();
  return {
    stalls: () => [...found],
    overlaps: (startMs, endMs) => found.some((s) => s.startMs < endMs && startMs < s.endMs),
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** How long [fromMs, toMs] spent inside stalls: the union of the stalls, so two services stalled at once count once. */
export function stalledMsWithin(stalls: readonly StorageStall[], fromMs: number, toMs: number): number {
  const inside = stalls
    .map((s) => [Math.max(s.startMs, fromMs), Math.min(s.endMs, toMs)] as const)
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let reached = fromMs;
  for (const [start, end] of inside) {
    if (end <= reached) continue;
    total += end - Math.max(start, reached);
    reached = end;
  }
  return total;
}

/** One timed sample: how long it took and when (performance.now() ms). */
export interface TimedSample {
  ms: number;
  startMs: number;
  endMs: number;
}

/** The samples' durations: all of them, and those that did not overlap a storage stall. */
export function splitByStalls(
  samples: readonly TimedSample[],
  watch: StallWatch,
): { all: number[]; outside: number[]; touched: number } {
  const outside = samples.filter((s) => !watch.overlaps(s.startMs, s.endMs)).map((s) => s.ms);
  return { all: samples.map((s) => s.ms), outside, touched: samples.length - outside.length };
}
