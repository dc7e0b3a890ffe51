/**
 * A small per-process cache for rows that change rarely and are read on every webhook (a pair by its unionId, a
 * subscription's secrets). Entries live `ttlMs`; the size is bounded so a flood of unknown ids cannot grow it.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  /** Loads under way: a burst of webhooks for one person waits for one read instead of each making its own. */
  private readonly loading = new Map<string, Promise<V>>();

  /** `missTtlMs`: how long an undefined value (a miss) is kept, so a row created meanwhile is found soon. */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
    private readonly missTtlMs: number = ttlMs,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loaded = this.load(key, load);
    this.loading.set(key, loaded);
    try {
      return await loaded;
    } finally {
      this.loading.delete(key);
    }
  }

  private async load(key: string, load: () => Promise<V>): Promise<V> {
    const value = await load();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: this.now() + (value === undefined ? this.missTtlMs : this.ttlMs) });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
