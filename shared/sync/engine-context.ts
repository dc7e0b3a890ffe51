import type { FieldMerge } from './field-merge';
import type { Action } from './truth-table';
import type {
  AuditSink,
  IntentStore,
  Kind,
  LinkStore,
  Side,
  SideAdapter,
  SyncPolicy,
  UserRef,
} from './types';

/** One side as a pull sees it: its adapter and the folder on that side that belongs to this pair of folders. */
export interface SideEndpoint<P> {
  adapter: SideAdapter<P>;
  folder: string;
}

export interface PullStats {
  /** Changes reconciled (listed, plus linked items a full listing proved gone). */
  changes: number;
  actions: Partial<Record<Action, number>>;
  conflicts: number;
  intentsReplayed: number;
  /** Items the other side refused for good (audited and skipped). */
  refused: number;
}

/** Everything the engine's steps share during one pull. Built once by runPull; holds no state between pulls. */
export interface EngineContext<P> {
  user: UserRef;
  kind: Kind;
  sides: Record<Side, SideEndpoint<P>>;
  links: LinkStore;
  intents: IntentStore;
  audit: AuditSink;
  policy: SyncPolicy;
  hash: (projection: P) => string;
  /** Set for kinds merged field by field (mail flags); the others resolve conflicts by policy. */
  fieldMerge?: FieldMerge<P>;
  now: () => number;
  stats: PullStats;
  /**
   * Set while a pull reconciles a delta listing: its creates and updates then record on their audit row how long
   * after the change they were written (the status page's lag picture). Not for a full listing, whose items may
   * have changed months before it.
   */
  measuresLag?: boolean;
}

export const emptyStats = (): PullStats => ({
  changes: 0,
  actions: {},
  conflicts: 0,
  intentsReplayed: 0,
  refused: 0,
});
