/** The sync engine's public surface: what the worker and the adapters use. */
export { runPull, type ListingProgress, type PullInput, type PullResult } from './pull';
export { PullFailedError } from './pull-errors';
export { cursorWithOwnView } from './own-view';
export type { PullStats, SideEndpoint } from './engine-context';
export {
  decide,
  renderTruthTable,
  RULES,
  type Action,
  type Decision,
  type Rule,
  type Situation,
} from './truth-table';
export type { LinkState, OtherState, PulledState } from './classify';
export { chooseWinner } from './conflict-policy';
export { BULK_DELETE_FLOOR, bulkDeleteTrips } from './breaker';
export { stableHash, canonicalJson, fnv1a64 } from './stable-hash';
export { originKeyFor, linkIdFor } from './deterministic-keys';
export { calendarMatchKeys, normalizeSubject } from './calendar-match';
export { calendarContentHash } from './calendar-hash';
export * from './types';
