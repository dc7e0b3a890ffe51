/** The targets of /work/shared/DESIGN.md §8. Benchmarks report against them; nothing fails on them. */
export const BUDGETS = {
  webhookAckP99Ms: 50,
  propagationP50Ms: 1000,
  propagationP99Ms: 3000,
  throughputMinChangesPerSecond: 200,
  /** Outlook → DingTalk is bound by DingTalk's 20 calls/s per API: the target sits just under that ceiling. */
  throughputOutlookToDingtalkMinChangesPerSecond: 18,
  graphCallsPerChange: 3,
  dingtalkMeteredCallsPerChange: 2,
  tableOperationsPerChange: 4,
  /** Many changes per pull spread the per-pull operations (lease, cursor, audit batch) thin. */
  burstTableOperationsPerChange: 1.5,
  coldStartMs: 300,
  workerRssMb: 256,
} as const;
