import type { TableClient } from '@azure/data-tables';
import type { Storage } from '../platform/storage';
import { entity } from './entity-size';
import { statusOf } from './errors';
import { readRow } from './table-ops';
import { joinKey } from './table-keys';

/** Same shape as the DingTalk budget governor's CallCounterStore (structural: the store does not import connectors). */
export interface MonthlyCounter {
  get(month: string): Promise<number>;
  tryAdd(month: string, calls: number, limit: number): Promise<boolean>;
  raiseTo(month: string, value: number): Promise<void>;
}

const PARTITION = 'dingtalk-calls';
const MAX_ATTEMPTS = 30;

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));

type CounterRow = { count: number };
type KnownRow = { count: number; etag: string };

/**
 * The org's monthly count of metered DingTalk calls, shared by every instance: one row per month, changed only with
 * ETag-conditional writes so concurrent instances never lose an increment. Operations: get 1 · tryAdd 1 when this
 * instance wrote the row last, else 2 (a read, then the write) · raiseTo likewise.
 */
export class TableCallCounter implements MonthlyCounter {
  /** The row as this instance last wrote it, per month. */
  private readonly lastWritten = new Map<string, KnownRow>();

  constructor(
    private readonly storage: Storage,
    private readonly tableName: string,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async get(month: string): Promise<number> {
    return (await this.read(await this.table(), month))?.count ?? 0;
  }

  async tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    return this.change(month, (count) => (count + calls > limit ? undefined : count + calls)).then(
      (r) => r !== undefined,
    );
  }

  async raiseTo(month: string, value: number): Promise<void> {
    await this.change(month, (count) => (count >= value ? undefined : value));
  }

  private async read(table: TableClient, month: string): Promise<KnownRow | undefined> {
    const row = await readRow<CounterRow>(table, PARTITION, joinKey(month));
    return row && { count: Number(row.count), etag: row.etag };
  }

  private async change(
    month: string,
    next: (count: number) => number | undefined,
  ): Promise<number | undefined> {
    const table = await this.table();
    const rowKey = joinKey(month);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The first attempt trusts the row this instance last wrote: if another instance wrote since, the etag no longer
      // matches and the write fails as a lost race would. The count only grows, so a limit reached on an old copy is
      // reached on the row too: refusing on it is right.
      const row = (attempt === 0 && this.lastWritten.get(month)) || (await this.read(table, month));
      const value = next(row?.count ?? 0);
      if (value === undefined) return undefined;
      try {
        const fields = entity(PARTITION, rowKey, { count: value });
        const written = row
          ? await table.updateEntity(fields, 'Replace', { etag: row.etag })
          : await table.createEntity(fields);
        if (written.etag) this.lastWritten.set(month, { count: value, etag: written.etag });
        else this.lastWritten.delete(month);
        return value;
      } catch (err) {
        this.lastWritten.delete(month);
        if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
        // Contention between instances: back off with jitter so the writers spread out.
        await pause(attempt);
      }
    }
    throw new Error(`DingTalk call counter for ${month} kept changing; try again`);
  }
}

interface Waiting {
  calls: number;
  limit: number;
  resolve: (granted: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * One process's callers share the shared counter's writes: while one write is in flight the next callers wait,
 * and the following write adds all of them at once. Nothing is added ahead of need (a block reserved and never
 * spent would stay counted when the process ends), so the stored count is exactly the calls granted, and a burst
 * of N concurrent calls costs about two writes instead of N. A batch that would pass its limit is granted call by
 * call instead, so the calls that still fit get in.
 */
export class CoalescingCounter implements MonthlyCounter {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly writing = new Set<string>();

  constructor(private readonly shared: MonthlyCounter) {}

  get(month: string): Promise<number> {
    return this.shared.get(month);
  }

  tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(month) ?? [];
      queue.push({ calls, limit, resolve, reject });
      this.waiting.set(month, queue);
      if (!this.writing.has(month)) void this.writeWaiting(month);
    });
  }

  raiseTo(month: string, value: number): Promise<void> {
    return this.shared.raiseTo(month, value);
  }

  private async writeWaiting(month: string): Promise<void> {
    this.writing.add(month);
    try {
      for (let batch = this.take(month); batch.length > 0; batch = this.take(month)) {
        for (const group of byLimit(batch)) await this.grant(month, group);
      }
    } finally {
      this.writing.delete(month);
    }
  }

  private take(month: string): Waiting[] {
    const batch = this.waiting.get(month) ?? [];
    this.waiting.delete(month);
    return batch;
  }

  private async grant(month: string, group: Waiting[]): Promise<void> {
    const { limit } = group[0]!;
    try {
      const total = group.reduce((sum, w) => sum + w.calls, 0);
      if (group.length > 1 && (await this.shared.tryAdd(month, total, limit))) {
        for (const w of group) w.resolve(true);
        return;
      }
      for (const w of group) w.resolve(await this.shared.tryAdd(month, w.calls, limit));
    } catch (err) {
      // Settling an already granted caller again is a no-op, so only those still waiting see the failure.
      for (const w of group) w.reject(err);
    }
  }
}

/** Callers with the same limit (push or background) can be added together; groups keep their arrival order. */
function byLimit(batch: Waiting[]): Waiting[][] {
  const groups = new Map<number, Waiting[]>();
  for (const w of batch) groups.set(w.limit, [...(groups.get(w.limit) ?? []), w]);
  return [...groups.values()];
}

/** The name the store wiring imports. */
export { CoalescingCounter as BlockReservingCounter };
