import type { EngineContext } from './engine-context';
import { pairOf } from './link-fields';
import { saveLink, writeUpdate } from './remote-writes';
import type { Link, RemoteItem, Side } from './types';
import { otherSide } from './types';

/**
 * Kinds whose synced fields are independent flags (mail: read state and flag) are merged one field at a time
 * against the values last synced, instead of letting one side's whole projection win: a read in Outlook and a flag
 * in DingTalk made between two pulls both survive, and a side that did not change a field never flips it back
 * (isync merges flags against its journal the same way; docs/sync-engine.md, "Merged fields").
 */
export interface FieldMerge<P> {
  /**
   * The projection both sides should hold: per field, the side that changed it since `base` wins; a field neither
   * changed keeps its value. `base` is the link's projection hash, which for such kinds spells the field values.
   * Undefined when the base cannot be read back (a link stored by another hash): the conflict policy decides.
   * `pulledSide` says which side `pulled` came from, for fields only one side holds or can write.
   */
  merge(base: string, pulled: P, other: P, pulledSide: Side): P | undefined;
  /**
   * Optional: the hash of what `side` can hold and write of a projection. A side is written only when this differs,
   * so a field the side cannot carry (a DingTalk to-do's priority after creation, Outlook's lack of a due time)
   * never causes a write that changes nothing. Defaults to the kind's hash.
   */
  heldHash?(side: Side, projection: P): string;
}

/**
 * Writes the merged projection to each side that does not hold it yet, then saves one link. The link is saved only
 * after both writes: a crash between them leaves both sides changed against the old link, and the next pull merges
 * again to the same result (the merge is idempotent), where a link saved in between would hide the missing write.
 */
export async function writeMerged<P>(
  ctx: EngineContext<P>,
  link: Link,
  pulled: { side: Side; item: RemoteItem<P> },
  other: RemoteItem<P>,
  merged: P,
  reason: string,
): Promise<void> {
  const there = otherSide(pulled.side);
  const mergedHash = ctx.hash(merged);
  const held = (side: Side, projection: P) =>
    ctx.fieldMerge?.heldHash ? ctx.fieldMerge.heldHash(side, projection) : ctx.hash(projection);
  const as = (item: RemoteItem<P>): RemoteItem<P> => ({ ...item, projection: merged });
  let otherNow = other;
  if (held(there, other.projection) !== held(there, merged)) {
    otherNow = await writeUpdate(ctx, there, other.id, { side: pulled.side, item: as(pulled.item) }, reason);
  }
  let pulledNow = pulled.item;
  if (held(pulled.side, pulled.item.projection) !== held(pulled.side, merged)) {
    pulledNow = await writeUpdate(ctx, pulled.side, pulled.item.id, { side: there, item: as(other) }, reason);
  }
  await saveLink(
    ctx,
    pairOf(link, { side: pulled.side, item: pulledNow }, { side: there, item: otherNow }, mergedHash),
  );
}
