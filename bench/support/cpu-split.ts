import { cpuTime, processCpuMs } from './cpu-time';
import { round } from './stats';

/** CPU time so far, ms, by process: the bench's own (host, app, bench), the fakes', Azurite's. */
export interface CpuReading {
  appMs: number;
  fakesMs: number | undefined;
  /** Of fakesMs: answering the bench (making the users' changes, counting arrivals), not serving the app. */
  fakesForBenchMs: number;
  azuriteMs: number | undefined;
}

export interface CpuSplit {
  /** The bench process: the Functions host and the app, plus the bench's own driving (see docs/benchmarks.md). */
  app: number;
  /** The fakes' process serving the app (API requests, notifications, callbacks). */
  fakes: number | null;
  /** The fakes' process answering the bench; not in `fakes`. */
  fakesForBench: number;
  azurite: number | null;
}

/** Reads each process's CPU time; Azurite is every child of this process but the fakes. */
export async function readCpu(fakes: { pid: number; queryCpuMs(): Promise<number> }): Promise<CpuReading> {
  const fakesForBenchMs = await fakes.queryCpuMs();
  const own = cpuTime();
  const fakesMs = processCpuMs(fakes.pid);
  return {
    appMs: own.selfMs,
    fakesMs,
    fakesForBenchMs,
    azuriteMs: own.childrenMs === undefined || fakesMs === undefined ? undefined : own.childrenMs - fakesMs,
  };
}

/** CPU seconds spent between two readings, divided by `per` (1 for totals, the changes for a cost per change). */
export function cpuBetween(before: CpuReading, after: CpuReading, per = 1): CpuSplit {
  const seconds = (ms: number) => round(ms / 1000 / per, 4);
  const delta = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : b - a;
  const fakesAll = delta(before.fakesMs, after.fakesMs);
  const forBench = after.fakesForBenchMs - before.fakesForBenchMs;
  const azurite = delta(before.azuriteMs, after.azuriteMs);
  return {
    app: seconds(after.appMs - before.appMs),
    fakes: fakesAll === undefined ? null : seconds(fakesAll - forBench),
    fakesForBench: seconds(forBench),
    azurite: azurite === undefined ? null : seconds(azurite),
  };
}
