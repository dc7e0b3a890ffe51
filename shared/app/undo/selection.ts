import { isOriginKey } from '../../sync/deterministic-keys';
import { idOn } from '../../sync/link-fields';
import type { Kind, Link, RemoteItem, Side } from '../../sync/types';
import { otherSide } from '../../sync/types';

/**
 * Which items undo removes (docs/undo.md), as pure rules: first from the link alone (cheap, no remote call), then
 * from the copy as read right before its removal. An item is removed only when both say it is a copy this product
 * made: the link names the other side as the origin, and the item still carries this product's stamp.
 */

export interface UndoScope {
  kind: Kind;
  /** Copies made at or after this time (ms)... */
  fromMs: number;
  /** ...and before this one (ms, exclusive). */
  toMs: number;
  /** Only copies on this side; both sides when absent. */
  side?: Side;
}

export type LinkVerdict =
  /** A copy in scope: read it, and remove it if it still carries the stamp. */
  | { verdict: 'copy'; side: Side; id: string; originId: string; copiedAt: string; resumed: boolean }
  /** In scope by its time, but not to be touched; listed with the reason. */
  | { verdict: 'skip'; side: Side; id: string; copiedAt: string; reason: string }
  /** Removed by an earlier undo. */
  | { verdict: 'done' }
  /** A link written before origins were recorded: undo cannot tell which half is the copy, nor when it was made. */
  | { verdict: 'unknown' };

/** The link's verdict, or undefined when the link is outside the scope (or holds no copy at all). */
export function selectLink(link: Link, scope: UndoScope): LinkVerdict | undefined {
  if (link.tombstone || link.origin === 'both') return undefined;
  if (!link.origin || !link.copiedAt) return { verdict: 'unknown' };
  const copiedMs = Date.parse(link.copiedAt);
  if (!(copiedMs >= scope.fromMs && copiedMs < scope.toMs)) return undefined;
  const origin = link.origin;
  const side = otherSide(origin);
  const id = idOn(link, side);
  const originId = idOn(link, origin);
  if (link.undone && !link.undone.pending) return { verdict: 'done' };
  if (id === undefined) return undefined;
  const copiedAt = link.copiedAt;
  if (scope.side && scope.side !== side) {
    const reason = `an original (its copy is on ${side}; only copies on ${scope.side} were asked for)`;
    return { verdict: 'skip', side: origin, id: originId ?? '', copiedAt, reason };
  }
  if (originId === undefined) {
    const reason =
      'its original was deleted and the copy kept (delete policy ignore): the copy is all that is left';
    return { verdict: 'skip', side, id, copiedAt, reason };
  }
  return { verdict: 'copy', side, id, originId, copiedAt, resumed: link.undone?.pending === true };
}

export type CopyCheck =
  | { verdict: 'remove'; version: string; subject?: string }
  | { verdict: 'gone' }
  | { verdict: 'skip'; reason: string; subject?: string };

/** The copy as read right before its removal: still there, and still stamped as ours? */
export function checkCopy(item: RemoteItem<unknown> | undefined): CopyCheck {
  if (!item) return { verdict: 'gone' };
  const subject = subjectOf(item.projection);
  if (!item.originKey) {
    return { verdict: 'skip', reason: "it no longer carries this product's stamp: left as it is", subject };
  }
  if (!isOriginKey(item.originKey)) {
    return { verdict: 'skip', reason: "its stamp is not this product's: left as it is", subject };
  }
  return { verdict: 'remove', version: item.version, subject };
}

/** What a person would call the item: an event's or to-do's subject, a mail's subject line, a contact's name. */
export function subjectOf(projection: unknown): string | undefined {
  if (!projection || typeof projection !== 'object') return undefined;
  const p = projection as { subject?: unknown; name?: unknown; envelope?: { subject?: unknown } };
  const text = p.subject ?? p.envelope?.subject ?? p.name;
  return typeof text === 'string' ? text : undefined;
}
