import type { RemoteItem } from './types';

/**
 * First-sync matching: the other side's unlinked items by match key (iCalUId, normalized subject+start+end, ...).
 * An item is handed out once, so two pulled items never pair with the same counterpart.
 */
export class MatchIndex<P> {
  private readonly byKey = new Map<string, RemoteItem<P>[]>();
  private readonly claimed = new Set<string>();

  constructor(items: Iterable<RemoteItem<P>>, linkedIds: ReadonlySet<string>) {
    for (const item of items) {
      if (linkedIds.has(item.id)) continue;
      for (const key of item.matchKeys) {
        const bucket = this.byKey.get(key);
        if (bucket) bucket.push(item);
        else this.byKey.set(key, [item]);
      }
    }
  }

  /** Keys are tried in order, so a strong key (iCalUId) wins over a weak one (subject+start). */
  claim(keys: readonly string[]): RemoteItem<P> | undefined {
    for (const key of keys) {
      const candidate = this.byKey.get(key)?.find((item) => !this.claimed.has(item.id));
      if (candidate) {
        this.claimed.add(candidate.id);
        return candidate;
      }
    }
    return undefined;
  }
}
