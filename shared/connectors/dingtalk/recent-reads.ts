import type { Clock } from '../../platform/clock';

/**
 * Event versions this adapter read a moment ago. DingTalk has no conditional write, so a conditional update or
 * delete compares the expected version with a fresh read. The engine reads the other side's event right before it
 * decides to write there; a GetEvent of that same event less than `freshMs` earlier already is that read, and saves
 * a metered call (docs/dingtalk.md, "Conditional writes").
 */
export class RecentReads {
  private readonly reads = new Map<string, { version: string | undefined; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly freshMs: number,
  ) {}

  /** version undefined: the read found the event gone. */
  remember(unionId: string, eventId: string, version: string | undefined): void {
    const key = keyOf(unionId, eventId);
    this.reads.delete(key);
    this.reads.set(key, { version, at: this.clock.now() });
    this.prune();
  }

  /** After our own write the event has a version we did not read: the next conditional write reads again. */
  forget(unionId: string, eventId: string): void {
    this.reads.delete(keyOf(unionId, eventId));
  }

  /** The read, if one was made less than freshMs ago. */
  fresh(unionId: string, eventId: string): { version: string | undefined } | undefined {
    if (this.freshMs <= 0) return undefined;
    this.prune();
    const read = this.reads.get(keyOf(unionId, eventId));
    return read && { version: read.version };
  }

  /** Entries are kept in read order, so the stale ones (and, past MAX_ENTRIES, the oldest) are at the front. */
  private prune(): void {
    const oldest = this.clock.now() - this.freshMs;
    for (const [key, read] of this.reads) {
      if (read.at >= oldest && this.reads.size <= MAX_ENTRIES) break;
      this.reads.delete(key);
    }
  }
}

/** A pull reads one event at a time before writing it; this only bounds memory when the clock stands still. */
const MAX_ENTRIES = 1000;

const keyOf = (unionId: string, eventId: string) => `${unionId}\u0000${eventId}`;
