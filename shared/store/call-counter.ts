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

/**
 * The org's monthly count of metered DingTalk calls, shared by every instance: one row per month, changed only with
 * ETag-conditional writes so concurrent instances never lose an increment. Operations: get 1 · tryAdd 2 · raiseTo 2.
 */
export class TableCallCounter implements MonthlyCounter {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async get(month: string): Promise<number> {
    const row = await readRow<CounterRow>(await this.table(), PARTITION, joinKey(month));
    return row ? Number(row.count) : 0;
  }

  async tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    return this.change(month, (count) => (count + calls > limit ? undefined : count + calls)).then(
      (r) => r !== undefined,
    );
  }

  async raiseTo(month: string, value: number): Promise<void> {
    await this.change(month, (count) => (count >= value ? undefined : value));
  }

  private async change(
    month: string,
    next: (count: number) => number | undefined,
  ): Promise<number | undefined> {
    const table = await this.table();
    const rowKey = joinKey(month);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await readRow<CounterRow>(table, PARTITION, rowKey);
      const value = next(row ? Number(row.count) : 0);
      if (value === undefined) return undefined;
      try {
        const fields = entity(PARTITION, rowKey, { count: value });
        if (row) await table.updateEntity(fields, 'Replace', { etag: row.etag });
        else await table.createEntity(fields);
        return value;
      } catch (err) {
        if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
        // Contention between instances: back off with jitter so the writers spread out.
        await pause(attempt);
      }
    }
    throw new Error(`DingTalk call counter for ${month} kept changing; try again`);
  }
}

/**
 * Takes calls from the shared counter a block at a time and hands them out locally, so a metered call costs a table
 * write only once per block. Calls reserved but never made are lost when the process ends: the count errs high,
 * which keeps the org inside its quota.
 */
export class BlockReservingCounter implements MonthlyCounter {
  private reserved = new Map<string, number>();

  constructor(
    private readonly shared: MonthlyCounter,
    private readonly blockSize = 10,
  ) {}

  get(month: string): Promise<number> {
    return this.shared.get(month);
  }

  async tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    const left = this.reserved.get(month) ?? 0;
    if (left >= calls) {
      this.reserved.set(month, left - calls);
      return true;
    }
    const want = Math.max(calls - left, this.blockSize);
    for (const size of want > calls - left ? [want, calls - left] : [want]) {
      if (await this.shared.tryAdd(month, size, limit)) {
        this.reserved.set(month, left + size - calls);
        return true;
      }
    }
    return false;
  }

  async raiseTo(month: string, value: number): Promise<void> {
    this.reserved.set(month, 0);
    await this.shared.raiseTo(month, value);
  }
}
