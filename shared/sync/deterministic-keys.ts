import { canonicalJson, fnv1a64 } from './stable-hash';
import type { Kind, Side } from './types';

/**
 * The idempotency key sent with a create. Deterministic, so a retry of the same create sends the same key; a
 * re-create (the earlier copy is gone) salts it with the dead id, because a remote side may still remember the key
 * of the deleted copy (Graph keeps transactionId).
 */
export function originKeyFor(input: {
  pairId: string;
  kind: Kind;
  sourceSide: Side;
  sourceId: string;
  replacesId?: string;
}): string {
  const parts = [input.pairId, input.kind, input.sourceSide, input.sourceId, input.replacesId ?? null];
  return `dms-${fnv1a64(canonicalJson(parts))}`;
}

const ORIGIN_KEY = /^dms-[0-9a-f]{16}$/;

/** Whether a stamp read back from an item is one originKeyFor gives: the item is a copy this product made. */
export const isOriginKey = (key: string): boolean => ORIGIN_KEY.test(key);

/** A link is named after the first item it paired, so that recomputing it after a crash gives the same id. */
export function linkIdFor(kind: Kind, side: Side, id: string): string {
  return `${kind}-${side === 'dingtalk' ? 'd' : 'o'}-${fnv1a64(canonicalJson([kind, side, id]))}`;
}
