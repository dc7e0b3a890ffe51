import { setTimeout as sleep } from 'node:timers/promises';
import type { SideName, Tally } from '../fakes/fake-operations';
import { costPerChange, type CallCounts, type CostPerChange } from '../pipeline/call-counts';
import type { BenchPerson } from '../pipeline/people';
import type { Pipeline } from '../pipeline/start-pipeline';
import { cpuBetween, type CpuSplit } from '../support/cpu-split';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { pollUntil } from '../support/wait';
import { burstLoad, type BurstLoad } from './burst-load';
import { pullsBetween } from './pulls';

export interface BurstOptions {
  changesPerUser: number;
  /** The pace at which the users make their changes, one user's at a time: the load offered. */
  offeredChangesPerSecond: number;
  pollMs: number;
  waitMs: number;
}

export interface DirectionBurst {
  changes: number;
  changesPerUser: number;
  offeredChangesPerSecond: number;
  /** How long making every change took on the source fake. */
  submitMs: number;
  /**
   * From the first change made until every one is on the other side, each in its owner's calendar; when some
   * never arrived, until the last one that did (the changes that arrived over the time they took).
   */
  seconds: number;
  changesPerSecond: number;
  /**
   * The same over the time Azurite was not stalled (load.storageStallSeconds taken out): its queue's garbage
   * collector stops it for seconds every minute, which is the emulator's, not the app's. The budget is judged on
   * changesPerSecond.
   */
  changesPerSecondOutsideStorageStalls: number;
  firstArrivalAfterMs: number;
  /** Changes not on the other side when the wait ended (waitedSeconds after the first change). */
  missing: number;
  waitedSeconds: number;
  /** Copies beyond one per change once the pipeline was quiet: on the other side, and back on the source. */
  duplicates: number;
  duplicatesOnSource: number;
  /** Pulls of the source calendar (DingTalk ListEvents, Graph calendarView/delta), from the fake's request log. */
  pulls: number;
  changesPerPull: number;
  load: BurstLoad;
  /** DingTalk's pushes during the burst by outcome ("ok", or why the delivery failed). */
  dingtalkCallbacks: Record<string, number>;
  /** From the first change until the pipeline was quiet again (echoes included). */
  cpuSecondsPerChange: CpuSplit;
}

export interface BurstReadings {
  figure: DirectionBurst;
  costs: CostPerChange;
  calls: [CallCounts, CallCounts];
}

/**
 * One direction on its own: user after user makes `changesPerUser` creates on the source fake at once, at the
 * offered pace, and the clock stops when each of them is in its owner's calendar on the other side. Subjects name
 * their owner, so an event that lands in the wrong calendar does not count.
 */
export async function measureDirectionBurst(
  p: Pipeline,
  source: SideName,
  target: SideName,
  options: BurstOptions,
): Promise<BurstReadings> {
  const tag = `bench burst ${source} ${Date.now().toString(36)}`;
  const ownerPrefix = (u: number) => `${tag} u${u}.`;
  const owners = p.people.map((person, u) => ({ person, prefix: ownerPrefix(u) }));
  const byUser = p.people.map((person: BenchPerson, u) =>
    Array.from({ length: options.changesPerUser }, (_, k) => ({
      person,
      subject: `${ownerPrefix(u)}${k}`,
      hour: 8 + (k % 12),
    })),
  );
  const changes = byUser.flat();
  const tally = (side: SideName): Promise<Tally> => p.fakes.call('tally', side, owners);

  await p.quiet(120_000);
  const before = await p.calls.now();
  const callbacksBefore = await p.fakes.call('callbackOutcomes');
  const cpuBefore = await p.cpu();
  const started = performance.now();
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  let arrived = 0;
  // Watched from the first change on, while the rest are still being made.
  const arrivals = pollUntil(
    async () => {
      const now = performance.now() - started;
      const seen = (await tally(target)).distinct;
      if (seen > 0) firstAt ??= now;
      if (seen > arrived) lastAt = now;
      arrived = seen;
      return arrived >= changes.length ? now : undefined;
    },
    options.pollMs,
    options.waitMs,
  );
  const userIntervalMs = (1000 * options.changesPerUser) / options.offeredChangesPerSecond;
  for (const [u, userChanges] of byUser.entries()) {
    await sleep(Math.max(0, started + u * userIntervalMs - performance.now()));
    await p.fakes.call('createMany', source, userChanges);
  }
  const submitMs = performance.now() - started;
  const doneAt = await arrivals;
  const waitedMs = performance.now() - started;
  const elapsedMs = doneAt ?? lastAt ?? waitedMs;
  const load = burstLoad({
    cpu: [cpuBefore, await p.cpu()],
    calls: [before, await p.calls.now()],
    stalls: p.stalls.stalls(),
    fromMs: started,
    toMs: started + elapsedMs,
  });
  await p.quiet(120_000);
  const after = await p.calls.now();
  const cpuAfter = await p.cpu();
  const onTarget = await tally(target);
  const onSource = await tally(source);
  const pulls = pullsBetween(before, after, source);
  const callbacksAfter = await p.fakes.call('callbackOutcomes');
  const dingtalkCallbacks = Object.fromEntries(
    Object.entries(callbacksAfter).map(([outcome, n]) => [outcome, n - (callbacksBefore[outcome] ?? 0)]),
  );
  const changesPerSecond = round(arrived / (elapsedMs / 1000));
  const changesPerSecondOutsideStorageStalls = round(
    arrived / ((elapsedMs - load.storageStallSeconds * 1000) / 1000),
  );
  progress(
    `throughput ${source}→${target}: ${arrived}/${changes.length} changes in ` +
      `${round(elapsedMs / 1000, 2)} s = ${changesPerSecond}/s, ${pulls} pulls` +
      (load.storageStallSeconds > 0
        ? `; Azurite stalled ${load.storageStallSeconds} s of it: ${changesPerSecondOutsideStorageStalls}/s outside`
        : ''),
  );
  return {
    figure: {
      changes: changes.length,
      changesPerUser: options.changesPerUser,
      offeredChangesPerSecond: options.offeredChangesPerSecond,
      submitMs: round(submitMs),
      seconds: round(elapsedMs / 1000, 2),
      changesPerSecond,
      changesPerSecondOutsideStorageStalls,
      firstArrivalAfterMs: round(firstAt ?? Number.NaN),
      missing: changes.length - onTarget.distinct,
      waitedSeconds: round(waitedMs / 1000, 2),
      duplicates: onTarget.events - onTarget.distinct,
      duplicatesOnSource: onSource.events - onSource.distinct,
      pulls,
      changesPerPull: round(changes.length / pulls),
      load,
      dingtalkCallbacks,
      cpuSecondsPerChange: cpuBetween(cpuBefore, cpuAfter, changes.length),
    },
    costs: costPerChange(before, after, changes.length),
    calls: [before, after],
  };
}
