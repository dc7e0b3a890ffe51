/** The targets of /work/shared/DESIGN.md §8. Benchmarks report against them; nothing fails on them. */
export const BUDGETS = {
  webhookAckP99Ms: 50,
  propagationP50Ms: 1000,
  propagationP99Ms: 3000,
  throughputMinChangesPerSecond: 200,
  graphCallsPerChange: 3,
  dingtalkMeteredCallsPerChange: 2,
  tableOperationsPerChange: 4,
  coldStartMs: 300,
  workerRssMb: 256,
} as const;
