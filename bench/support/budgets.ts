/** The project's performance targets (docs/benchmarks.md). Benchmarks report against them; nothing fails on them. */
export const BUDGETS = {
  /** Each webhook answers within 25 ms at p99 with the worker in the same process. */
  webhookAckP99Ms: 25,
  propagationP50Ms: 1000,
  propagationP99Ms: 3000,
  throughputMinChangesPerSecond: 200,
  /** Outlook → DingTalk is bound by DingTalk's 20 calls/s per API: the target sits just under that ceiling. */
  throughputOutlookToDingtalkMinChangesPerSecond: 18,
  graphCallsPerChange: 2,
  dingtalkMeteredCallsPerChange: 2,
  tableOperationsPerChange: 4,
  /** Many changes per pull spread the per-pull operations (lease, cursor, audit batch) thin. */
  burstTableOperationsPerChange: 1.5,
  coldStartMs: 300,
  workerRssMb: 256,
  /** Outlook → DingTalk mail is pushed (a Graph notification), so it has the calendar's budget. */
  mailOutlookToDingtalkP50Ms: 1000,
  mailOutlookToDingtalkP99Ms: 3000,
  /** DingTalk → Outlook mail waits for the mailbox's next poll: at most the poll interval plus this. */
  mailDingtalkToOutlookOverPollIntervalMs: 1000,
  mailIdlePollsPerSecond: 50,
  /** While one 25 MB mail crosses: the message is streamed, not held in several copies. */
  mailPeakRssMb: 256,
  /** Neither service pushes to-do changes: a change waits for its side's next poll, at most the interval + this. */
  todoPropagationOverPollIntervalMs: 1000,
  /** Both contact sides are polled too (no change event for apps): the same, at CONTACT_POLL_SECONDS. */
  contactPropagationOverPollIntervalMs: 1000,
} as const;
