import type { AuditEntry } from '../sync/types';

/** An audit entry with the row key it will be written under, fixed up front so that writing it again is harmless. */
export interface AuditRecord {
  rowKey: string;
  entry: AuditEntry;
}

/**
 * A pull's audit rows as its commit stores them on the (pair, kind) state row (pair-state-store.ts): durable in the
 * transaction the commit makes anyway, and written to the audit table afterwards, many pulls to a transaction.
 */
export interface AuditOutbox {
  /** New for every commit that changes the outbox. */
  id: string;
  records: AuditRecord[];
}

/** Writes records to the audit table, idempotently (an upsert per row key), as few transactions as it can. */
export type AuditRecordWriter = (records: AuditRecord[]) => Promise<void>;

export interface AuditPublisherOptions {
  /** How long a record waits for others to share its transaction. */
  delayMs?: number;
  /** Records waiting at once; past it the oldest are dropped from memory (they stay in their outboxes). */
  maxPending?: number;
  /** Outboxes this process remembers; one it forgot is carried and written again, which is harmless. */
  maxOwners?: number;
  onError?: (err: unknown) => void;
}

/**
 * Long enough that pulls made one at a time (a person's changes, each with its echo) share a transaction of the
 * audit table; short enough that the status page and the admin's export, which flush first in this process,
 * hardly ever wait, and other processes see the rows within seconds.
 */
export const AUDIT_PUBLISH_DELAY_MS = 5_000;
/** Azure allows 100 operations per entity-group transaction; the writer splits by day partition. */
const FULL_BATCH = 100;

interface OwnerOutbox {
  id: string;
  keys: Set<string>;
  written: Set<string>;
}

interface Waiting {
  owner: string;
  record: AuditRecord;
}

/**
 * Writes committed outboxes to the audit table in the background, per process. It remembers, per (pair, kind), the
 * last outbox it was given and which of its rows are written, so the next commit carries only what is not
 * (audit-outbox-plan.ts) and a pull that reads an outbox this process does not know, left by a crash or another
 * instance, writes it again. A failed write keeps its records for the next try.
 */
export class AuditPublisher {
  private readonly delayMs: number;
  private readonly maxPending: number;
  private readonly maxOwners: number;
  private readonly owners = new Map<string, OwnerOutbox>();
  private readonly waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: AuditRecordWriter,
    private readonly options: AuditPublisherOptions = {},
  ) {
    this.delayMs = options.delayMs ?? AUDIT_PUBLISH_DELAY_MS;
    this.maxPending = options.maxPending ?? 20_000;
    this.maxOwners = options.maxOwners ?? 50_000;
  }

  /** A committed outbox of `owner` ("<pairId>|<kind>"), to be written. */
  enqueue(owner: string, outbox: AuditOutbox): void {
    const keys = new Set(outbox.records.map((r) => keyOf(r)));
    const before = this.owners.get(owner);
    const written = new Set([...(before?.written ?? [])].filter((key) => keys.has(key)));
    this.owners.delete(owner);
    this.owners.set(owner, { id: outbox.id, keys, written });
    for (const record of outbox.records) {
      const key = keyOf(record);
      if (!written.has(key)) this.waiting.set(key, { owner, record });
    }
    this.forgetBeyondLimits();
    if (this.waiting.size >= FULL_BATCH) this.schedule(0);
    else if (this.waiting.size > 0) this.schedule(this.delayMs);
  }

  /** An outbox read from the state row: written again unless this process already has it. */
  recover(owner: string, outbox: AuditOutbox | undefined): void {
    if (outbox && outbox.records.length > 0 && !this.knows(owner, outbox.id)) this.enqueue(owner, outbox);
  }

  /** This process was given the outbox (it is written or waiting). */
  knows(owner: string, id: string): boolean {
    return this.owners.get(owner)?.id === id;
  }

  /** Every row of the outbox is in the audit table. */
  written(owner: string, id: string): boolean {
    const known = this.owners.get(owner);
    return known !== undefined && known.id === id && known.written.size === known.keys.size;
  }

  get pending(): number {
    return this.waiting.size;
  }

  /** Writes everything waiting now (readers of the audit table call it first, so this process reads its own rows). */
  flush(): Promise<void> {
    this.clearTimer();
    return this.inTurn();
  }

  private inTurn(): Promise<void> {
    const turn = this.running.then(() => this.writeWaiting());
    this.running = turn.catch(() => undefined);
    return turn;
  }

  private async writeWaiting(): Promise<void> {
    if (this.waiting.size === 0) return;
    const batch = [...this.waiting.values()];
    await this.write(batch.map((w) => w.record));
    for (const { owner, record } of batch) {
      const key = keyOf(record);
      if (this.waiting.get(key)?.record === record) this.waiting.delete(key);
      const known = this.owners.get(owner);
      if (known?.keys.has(key)) known.written.add(key);
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inTurn().then(
        () => {
          if (this.waiting.size > 0) this.schedule(this.delayMs);
        },
        (err: unknown) => {
          this.options.onError?.(err);
          this.schedule(this.delayMs);
        },
      );
    }, delayMs);
    // The rows are durable in their outboxes: waiting records must never keep a process alive.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Dropping a waiting record is safe only with its owner forgotten too: the owner's next commit then carries the
   * outbox it read, and the next pull that reads it writes it again.
   */
  private forgetBeyondLimits(): void {
    for (const [key, { owner }] of this.waiting) {
      if (this.waiting.size <= this.maxPending) break;
      this.waiting.delete(key);
      this.owners.delete(owner);
    }
    // Oldest first, and only outboxes already written: what a forgotten one means is one harmless rewrite.
    for (const [owner, known] of this.owners) {
      if (this.owners.size <= this.maxOwners) break;
      if (known.written.size === known.keys.size) this.owners.delete(owner);
    }
  }
}

/** Row keys are unique on their own: the entry's inverted time and a random suffix (audit-log.ts). */
function keyOf(record: AuditRecord): string {
  return record.rowKey;
}
