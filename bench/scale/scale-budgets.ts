/** The scale targets: DESIGN.md §8 ("scale") and the issue that asked for this phase. */
export const SCALE_BUDGETS = {
  idleTableOperationsPerRun: 50,
  idleRowsRead: 1000,
  idleMs: 2000,
  /** Per-minute paths may not read across a whole table. */
  idleTableScans: 0,
  /** A timer run far from host.json's functionTimeout: at most this share of it. */
  longestRunShareOfTimeout: 0.5,
} as const;
