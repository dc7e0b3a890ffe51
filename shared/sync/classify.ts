import { idOn, versionOn } from './link-fields';
import type { Link, RemoteChange, RemoteItem, Side } from './types';
import { isDeletion } from './types';

/**
 * Turns raw inputs (a listed change, its link, the other side's item) into the three coordinates of the truth
 * table. "A change counts only if it differs from what we wrote": an equal version is our own echo, and a new
 * version over an equal projection hash is a bump on unsynced fields (Graph moves changeKey for those).
 */

/** The listed item, compared with what the link remembers of its side. `new` = no link to compare with. */
export type PulledState = 'new' | 'changed' | 'touched' | 'unchanged' | 'deleted';

/**
 * `detached`: one half was dropped when delete policy `ignore` kept the survivor; `undone`: an admin's undo removed
 * the copy, and the original is excluded from sync (docs/undo.md); `tombstone`: gone on both sides.
 */
export type LinkState = 'none' | 'live' | 'detached' | 'undone' | 'tombstone';

/**
 * The other side, when the table needs it. With a link: its item as read now (`same` = changed since the link, to
 * exactly what the pulled side holds). Without a link (full listings only): the result of first-sync matching.
 */
export type OtherState =
  'not-read' | 'no-match' | 'match-same' | 'match-different' | 'unchanged' | 'same' | 'changed' | 'deleted';

export function linkStateOf(link: Link | undefined): LinkState {
  if (!link) return 'none';
  if (link.tombstone) return 'tombstone';
  if (link.undone) return 'undone';
  return link.dingtalkId && link.outlookId ? 'live' : 'detached';
}

export function classifyPulled<P>(
  change: RemoteChange<P>,
  link: Link | undefined,
  side: Side,
  hash: (p: P) => string,
): PulledState {
  if (isDeletion(change)) return 'deleted';
  if (!link) return 'new';
  if (change.version === versionOn(link, side)) return 'unchanged';
  return hash(change.projection) === link.projectionHash ? 'touched' : 'changed';
}

/** Only a live link is worth a read of the other side, and only when the pulled item changed or went away. */
export function otherSideNeeded(pulled: PulledState, link: LinkState): boolean {
  return link === 'live' && (pulled === 'changed' || pulled === 'deleted');
}

export function classifyOther<P>(
  other: RemoteItem<P> | undefined,
  link: Link,
  otherSide: Side,
  pulledHash: string | undefined,
  hash: (p: P) => string,
): OtherState {
  if (!other || other.id !== idOn(link, otherSide)) return 'deleted';
  if (other.version === versionOn(link, otherSide)) return 'unchanged';
  const otherHash = hash(other.projection);
  if (otherHash === link.projectionHash) return 'unchanged';
  return otherHash === pulledHash ? 'same' : 'changed';
}

export function classifyMatch<P>(
  candidate: RemoteItem<P> | undefined,
  pulledHash: string,
  hash: (p: P) => string,
): OtherState {
  if (!candidate) return 'no-match';
  return hash(candidate.projection) === pulledHash ? 'match-same' : 'match-different';
}
