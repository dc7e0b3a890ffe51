import type { Kind, Side } from '../sync/types';

/**
 * Shapes of the rows and messages that cross between ingress, timer and worker. The repositories in this folder
 * store them in Table Storage; the queue carries WorkItems.
 */

/** What one worker run pulls: every change of one folder of one kind on one side of one user. */
export interface WorkItem {
  pairId: string;
  kind: Kind;
  side: Side;
  /** Folder on that side: "primary" for the DingTalk calendar, "calendar" for the Outlook one, a folder id otherwise. */
  folder: string;
  /** Why the pull was asked for: notification, callback, poll, sweep, resync, retry. */
  reason: string;
  /** Set for resync: drop the cursor and list the whole folder (matching, never deleting). */
  resync?: boolean;
  /** When ingress recorded the hint (ms): a pull that began listing after it has seen the change. */
  hintedAt?: number;
  /** The item the hint named, with its version (etag / update time) or its deletion, to recognise our echoes. */
  itemId?: string;
  version?: string;
  deleted?: boolean;
  /** The items of further hints of the same folder sent in this one message (hint-group-commit.ts). */
  moreItems?: HintedItem[];
  /**
   * A Graph lifecycle event asked for this subscription's renewal: the worker marks it due before anything else
   * (app/subscription-due.ts), so the webhook's answer waits for one queue message only.
   */
  subscriptionDue?: string;
}

/** An item a hint names, with its version or its deletion. */
export interface HintedItem {
  itemId: string;
  version?: string;
  deleted?: boolean;
}

/**
 * The reason of the pull an admin queues from the status page to release a folder's bulk-delete breaker after
 * reading what it stopped: that one pull may delete past BULK_DELETE_MAX_SHARE, and its success clears the folder's
 * failure, as a retry's does.
 */
export const BREAKER_RELEASE_REASON = 'breaker-release';

/** Names one folder of one kind and side (failures are keyed by it). */
export const cursorKey = (w: Pick<WorkItem, 'kind' | 'side' | 'folder'>): string =>
  `${w.kind}.${w.side}.${w.folder}`;

/** A paired employee. */
export interface UserPair {
  pairId: string;
  dingtalkUserId: string;
  dingtalkUnionId: string;
  entraId: string;
  userPrincipalName: string;
  email: string;
  status: 'active' | 'disabled' | 'left';
  enabledKinds: Kind[];
  /** How the pair was made: "email" (automatic) or "override" (admin table). */
  pairedBy: 'email' | 'override';
  etag?: string;
}

/** A Graph subscription we own. The clientState itself is never stored: only a salted hash of it. */
export interface SubscriptionRecord {
  pairId: string;
  subscriptionId: string;
  resource: string;
  kind: Kind;
  folder: string;
  expiresAt: string;
  clientStateHash: string;
  clientStateSalt: string;
  etag?: string;
}

/** Failed work waiting for a retry. */
export interface FailureRecord {
  id: string;
  work: WorkItem;
  attempts: number;
  nextTryAt: string;
  lastError: string;
  permanent: boolean;
  etag?: string;
}
