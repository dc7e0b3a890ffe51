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
  /** Writes whatever this process counted and has not written yet (tests, the bench, a graceful shutdown). */
  flush?(): Promise<void>;
}

export interface AddResult {
  granted: boolean;
  /** The shared count after the operation. */
  count: number;
}

/** The shared count as the batching counter needs it. */
export interface SharedCallCount {
  get(month: string): Promise<number>;
  /** Adds `made` (calls already made) whatever the limit, and `calls` too unless that would pass `limit`. */
  add(month: string, made: number, calls: number, limit: number): Promise<AddResult>;
  raiseTo(month: string, value: number): Promise<void>;
}

const PARTITION = 'dingtalk-calls';
const MAX_ATTEMPTS = 30;

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));

type CounterRow = { count: number };
/** No etag: the row did not exist. */
type KnownRow = { count: number; etag?: string };

/**
 * The org's monthly count of metered DingTalk calls, shared by every instance: one row per month, changed only with
 * ETag-conditional writes so concurrent instances never lose an increment. Operations: get 1 · add 1 when this
 * instance read or wrote the row last and nobody wrote since, else 3 (the refused write, a read, the write) ·
 * raiseTo likewise.
 */
export class TableCallCounter implements MonthlyCounter, SharedCallCount {
  /** The row as this instance last read or wrote it, per month. */
  private readonly lastSeen = new Map<string, KnownRow>();

  constructor(
    private readonly storage: Storage,
    private readonly tableName: string,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async get(month: string): Promise<number> {
    return (await this.read(await this.table(), month)).count;
  }

  async tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    return (await this.add(month, 0, calls, limit)).granted;
  }

  add(month: string, made: number, calls: number, limit: number): Promise<AddResult> {
    return this.change(month, (count) => {
      const granted = count + made + calls <= limit;
      return { granted, count: count + made + (granted ? calls : 0) };
    });
  }

  async raiseTo(month: string, value: number): Promise<void> {
    await this.change(month, (count) => ({ granted: true, count: Math.max(count, value) }));
  }

  private async read(table: TableClient, month: string): Promise<KnownRow> {
    const row = await readRow<CounterRow>(table, PARTITION, joinKey(month));
    const known = row ? { count: Number(row.count), etag: row.etag } : { count: 0 };
    this.lastSeen.set(month, known);
    return known;
  }

  private async change(month: string, next: (count: number) => AddResult): Promise<AddResult> {
    const table = await this.table();
    const rowKey = joinKey(month);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // The first attempt trusts the row as this instance last saw it: if another instance wrote since, the etag no
      // longer matches and the write fails as a lost race would. The count only grows, so a limit reached on an old
      // copy is reached on the row too: refusing on it is right.
      const row = (attempt === 0 && this.lastSeen.get(month)) || (await this.read(table, month));
      const count = row.count;
      const result = next(count);
      if (result.count === count) return result;
      try {
        const fields = entity(PARTITION, rowKey, { count: result.count });
        const written = row.etag
          ? await table.updateEntity(fields, 'Replace', { etag: row.etag })
          : await table.createEntity(fields);
        if (written.etag) this.lastSeen.set(month, { count: result.count, etag: written.etag });
        else this.lastSeen.delete(month);
        return result;
      } catch (err) {
        this.lastSeen.delete(month);
        if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
        // Contention between instances: back off with jitter so the writers spread out.
        await pause(attempt);
      }
    }
    throw new Error(`DingTalk call counter for ${month} kept changing; try again`);
  }
}

export interface BatchingOptions {
  /** Unwritten calls that make the next call write them all (a process that dies loses at most one less). */
  flushAt?: number;
  /** Longest a counted call waits unwritten. */
  maxAgeMs?: number;
  /** Within this many calls of a limit, every call is a conditional write on the shared row. */
  margin?: number;
}

/**
 * A minute: long enough that changes a person makes one at a time still share a write (a write per call would
 * cost a table operation per synced change), short enough that other instances see the count soon; near the
 * limit every call is written anyway.
 */
export const DEFAULT_MAX_AGE_MS = 60_000;

interface MonthState {
  /** The shared count as this process last read or wrote it. */
  known: number;
  /** Calls granted here and not written yet. */
  pending: number;
  /** This month's shared operations, one after another, so a write never races this process's own. */
  queue: Promise<unknown>;
}

/**
 * Counts calls in the process and writes them to the shared count in one ETag-conditional write per `flushAt`
 * calls, or after `maxAgeMs`, whichever comes first; near a limit every call is written (and checked on the row).
 * The stored count only ever gains calls that were granted, so after `flush()` it equals the calls made.
 */
export class BatchingCallCounter implements MonthlyCounter {
  private readonly flushAt: number;
  private readonly maxAgeMs: number;
  private readonly margin: number;
  private readonly loading = new Map<string, Promise<MonthState>>();
  private readonly states = new Map<string, MonthState>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly shared: SharedCallCount,
    options: BatchingOptions = {},
  ) {
    this.flushAt = options.flushAt ?? 10;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.margin = options.margin ?? 50;
  }

  async get(month: string): Promise<number> {
    const loaded = this.states.get(month);
    const state = loaded ?? (await this.stateOf(month));
    if (loaded) await this.inTurn(state, async () => (state.known = await this.shared.get(month)));
    return state.known + state.pending;
  }

  async tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    const state = await this.stateOf(month);
    if (this.fitsLocally(state, calls, limit)) return this.grantLocally(state, calls);
    return this.inTurn(state, async () => {
      if (this.fitsLocally(state, calls, limit)) return this.grantLocally(state, calls);
      return (await this.write(month, state, calls, limit)).granted;
    });
  }

  async raiseTo(month: string, value: number): Promise<void> {
    const state = await this.stateOf(month);
    await this.inTurn(state, async () => {
      // DingTalk's own count already holds the calls made here: write them first, so the raise does not add them again.
      if (state.pending > 0) await this.write(month, state, 0, Infinity);
      await this.shared.raiseTo(month, value);
      state.known = Math.max(state.known, value);
    });
  }

  async flush(): Promise<void> {
    await Promise.all(
      [...this.states].map(([month, state]) =>
        this.inTurn(state, async () => {
          if (state.pending > 0) await this.write(month, state, 0, Infinity);
        }),
      ),
    );
  }

  /**
   * Granting here skips the row: `known` misses what other instances wrote since this one last read or wrote it, and
   * no check sees their unwritten calls (under `flushAt` each) until they write them. The margin covers the first
   * under ordinary load (a month's quota is a few thousand calls); instances racing at a limit can still pass it by
   * their unwritten calls. That is safe: for background work it eats into the push reserve, not the quota, and for
   * push work DingTalk itself answers 90020, after which the governor marks the month spent (docs/dingtalk.md,
   * Quotas). Within the margin every call is checked on the row, so one instance alone never passes a limit.
   */
  private fitsLocally(state: MonthState, calls: number, limit: number): boolean {
    return state.pending + calls < this.flushAt && state.known + state.pending + calls + this.margin <= limit;
  }

  private grantLocally(state: MonthState, calls: number): boolean {
    state.pending += calls;
    this.flushLater();
    return true;
  }

  /** Writes the pending calls, plus `calls` if they fit `limit`; on failure the pending calls stay for the next. */
  private async write(month: string, state: MonthState, calls: number, limit: number): Promise<AddResult> {
    const made = state.pending;
    const result = await this.shared.add(month, made, calls, limit);
    state.pending -= made;
    state.known = result.count;
    return result;
  }

  private inTurn<T>(state: MonthState, operation: () => Promise<T>): Promise<T> {
    const turn = state.queue.then(operation);
    state.queue = turn.catch(() => undefined);
    return turn;
  }

  private stateOf(month: string): Promise<MonthState> {
    let loading = this.loading.get(month);
    if (!loading) {
      loading = this.shared.get(month).then((known) => {
        const state: MonthState = { known, pending: 0, queue: Promise.resolve() };
        this.states.set(month, state);
        return state;
      });
      // A failed first read is not remembered: the next caller reads again.
      loading.catch(() => this.loading.delete(month));
      this.loading.set(month, loading);
    }
    return loading;
  }

  private flushLater(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failed write keeps its calls pending; the next timer tries again.
      void this.flush()
        .catch(() => undefined)
        .finally(() => {
          if ([...this.states.values()].some((s) => s.pending > 0)) this.flushLater();
        });
    }, this.maxAgeMs);
    // Counting must never keep a process alive; a graceful shutdown calls flush() itself.
    this.timer.unref();
  }
}
