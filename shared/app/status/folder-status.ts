import type { SideState } from '../../store/pair-state-store';
import type { FailureRecord } from '../../store/types';

/**
 * The state of one folder (a pair's kind on one side) in the admin's words, from what the app stores about it:
 * its side of the pairstate state row and its failures row. A pull that found nothing commits nothing, so the
 * last sync time of a quiet folder may be old while the folder is perfectly in sync: "behind" is said only of what
 * the state shows to be late.
 */
export type FolderStatus = 'in-sync' | 'first-sync' | 'behind' | 'failing' | 'admin';

export const FOLDER_STATUSES: readonly FolderStatus[] = [
  'in-sync',
  'first-sync',
  'behind',
  'failing',
  'admin',
];

export const STATUS_WORDS: Record<FolderStatus, string> = {
  'in-sync': 'in sync',
  'first-sync': 'first sync not finished',
  behind: 'behind',
  failing: 'failing (retried by itself)',
  admin: 'waiting for an admin',
};

/** The worker's own rule for a poll chain it considers dead (worker.ts, keepPolling). */
export const POLL_HEARTBEAT_MS = 60 * 60_000;

export interface FolderFacts {
  side: SideState | undefined;
  /** Creates a crashed pull may have left (the state row's intents). */
  intents: number;
  leaseUntil?: number;
  failure?: Pick<FailureRecord, 'permanent'>;
  /** For a polled side: its configured poll interval. */
  pollEveryMs?: number;
  now: number;
}

export function folderStatus(facts: FolderFacts): { status: FolderStatus; why: string } {
  const { side, now } = facts;
  if (facts.failure?.permanent) return { status: 'admin', why: 'stopped until an admin acts' };
  if (facts.failure) return { status: 'failing', why: 'the last pull failed; retried with backoff' };
  if (side?.lastError) return { status: 'failing', why: 'the last pull ended with an error' };
  if (!side?.lastSyncedAt) return { status: 'first-sync', why: 'no pull has completed yet' };
  if (facts.intents > 0 && (facts.leaseUntil ?? 0) < now) {
    return { status: 'behind', why: 'a pull stopped mid-way; the next pull finishes its creates' };
  }
  if (facts.pollEveryMs !== undefined) {
    const silentFor = now - (side.polledAt ?? 0);
    if (silentFor > 2 * Math.max(facts.pollEveryMs, POLL_HEARTBEAT_MS)) {
      return {
        status: 'behind',
        why: 'its poll chain has been silent; the next pull of the folder restarts it',
      };
    }
  }
  return { status: 'in-sync', why: '' };
}
