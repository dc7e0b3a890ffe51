import os from 'node:os';
import type { CallCounts } from '../pipeline/call-counts';
import type { StorageStall } from '../pipeline/storage-stalls';
import type { CpuTime } from '../support/cpu-time';
import { round } from '../support/stats';

export interface BurstLoad {
  /** CPU seconds of this process (host, app, fakes, bench) and of its children (Azurite). */
  benchProcessCpuSeconds: number;
  azuriteCpuSeconds: number | null;
  cores: number;
  tableOperationsPerSecond: number;
  graphCallsPerSecond: number;
  dingtalkCallsPerSecond: number;
  /** Time inside the burst during which Azurite was stalled (pipeline/storage-stalls.ts). */
  storageStallSeconds: number;
}

/** What the machine did during a burst, from before/after readings taken at its start and end. */
export function burstLoad(span: {
  cpu: [CpuTime, CpuTime];
  calls: [CallCounts, CallCounts];
  stalls: StorageStall[];
  fromMs: number;
  toMs: number;
}): BurstLoad {
  const [cpuBefore, cpuAfter] = span.cpu;
  const [before, after] = span.calls;
  const seconds = (span.toMs - span.fromMs) / 1000;
  const rate = (n: number) => round(n / seconds);
  const stalledMs = span.stalls.reduce(
    (sum, s) => sum + Math.max(0, Math.min(s.endMs, span.toMs) - Math.max(s.startMs, span.fromMs)),
    0,
  );
  return {
    benchProcessCpuSeconds: round((cpuAfter.selfMs - cpuBefore.selfMs) / 1000, 2),
    azuriteCpuSeconds:
      cpuBefore.childrenMs === undefined || cpuAfter.childrenMs === undefined
        ? null
        : round((cpuAfter.childrenMs - cpuBefore.childrenMs) / 1000, 2),
    cores: os.cpus().length,
    tableOperationsPerSecond: rate(after.table.requests - before.table.requests),
    graphCallsPerSecond: rate(after.graph - before.graph),
    dingtalkCallsPerSecond: rate(after.dingtalkAll - before.dingtalkAll),
    storageStallSeconds: round(stalledMs / 1000, 2),
  };
}
