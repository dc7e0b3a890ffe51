import os from 'node:os';
import type { CallCounts } from '../pipeline/call-counts';
import { stalledMsWithin, type StorageStall } from '../pipeline/storage-stalls';
import { cpuBetween, type CpuReading, type CpuSplit } from '../support/cpu-split';
import { round } from '../support/stats';

export interface BurstLoad {
  /** CPU seconds by process (support/cpu-split.ts) while the burst was arriving. */
  cpuSeconds: CpuSplit;
  cores: number;
  tableOperationsPerSecond: number;
  graphCallsPerSecond: number;
  dingtalkCallsPerSecond: number;
  /** Time inside the burst during which Azurite was stalled, any of its services (pipeline/storage-stalls.ts). */
  storageStallSeconds: number;
}

/** What the machine did during a burst, from before/after readings taken at its start and end. */
export function burstLoad(span: {
  cpu: [CpuReading, CpuReading];
  calls: [CallCounts, CallCounts];
  stalls: StorageStall[];
  fromMs: number;
  toMs: number;
}): BurstLoad {
  const [before, after] = span.calls;
  const seconds = (span.toMs - span.fromMs) / 1000;
  const rate = (n: number) => round(n / seconds);
  const stalledMs = stalledMsWithin(span.stalls, span.fromMs, span.toMs);
  return {
    cpuSeconds: cpuBetween(...span.cpu),
    cores: os.cpus().length,
    tableOperationsPerSecond: rate(after.table.requests - before.table.requests),
    graphCallsPerSecond: rate(after.graph - before.graph),
    dingtalkCallsPerSecond: rate(after.dingtalkAll - before.dingtalkAll),
    storageStallSeconds: round(stalledMs / 1000, 2),
  };
}
