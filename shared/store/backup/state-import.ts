import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { WritableEntity } from '../entity-size';
import { statusOf } from '../errors';
import { TableSubscriptionRepository } from '../subscription-repository';
import { TABLE_NAMES } from '../table-names';
import { MAX_TRANSACTION_ACTIONS, readRow } from '../table-ops';
import type { ParsedRow } from './backup-reader';
import type { BackupCounts } from './format';
import type { StateTables } from './state-export';

/**
 * Writes a checked backup's rows back (format.ts says how each section is restored). Rows of one partition go
 * in entity-group transactions of up to 100 rows and 3 MiB of backup text (Azure takes 4 MiB per transaction;
 * pairstate rows near the 1 MiB entity limit travel two or three at a time), several transactions at once. Every
 * write is an upsert that replaces the row, so a restore cut short can be run again.
 *
 * Operations: 1 transaction per 100 rows of a partition · quota 1 read + 0–1 write per month · pause switch
 * 1 read + 1 write · pending marks 1 transaction per 100 active pairs.
 */

export interface ImportReport {
  /** Rows written, per table. */
  written: BackupCounts;
  /** Active pairs marked for the subscription upkeep. */
  pairsMarked: number;
}

/** Backup text per transaction: JSON in the request is about the backup line's size, plus per-row headers. */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;
const CONCURRENCY = 8;
const MAX_TRIES = 5;

interface Batch {
  table: string;
  tableName: string;
  partitionKey: string;
  actions: TransactionAction[];
  bytes: number;
}

export class StateImporter {
  private batch: Batch | undefined;
  /** Writes of one phase finish before the next starts: the users' index rows before their pair rows. */
  private phase = '';
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private readonly report: ImportReport = { written: {}, pairsMarked: 0 };
  private readonly activePairs: string[] = [];
  private pauseRow: WritableEntity | undefined;

  constructor(
    private readonly tables: StateTables,
    private readonly now: () => number,
  ) {}

  async add(parsed: ParsedRow): Promise<void> {
    const { row, section, entity } = parsed;
    this.report.written[row.t] ??= 0;
    if (section.restore === 'pause') {
      this.pauseRow = entity;
      return;
    }
    if (section.restore === 'raise') {
      if (await this.raise(entity)) this.report.written[row.t]++;
      return;
    }
    if (section.role === 'users' && row.pk.startsWith('pair|') && entity.status === 'active') {
      if (typeof entity.pairId === 'string') this.activePairs.push(entity.pairId);
    }
    const phase = section.role === 'users' ? `${row.t}/${row.pk.split('|')[0]}` : row.t;
    if (phase !== this.phase) {
      await this.flush();
      await this.drain();
      this.phase = phase;
    }
    const b = this.batch;
    if (
      b &&
      (b.table !== row.t ||
        b.partitionKey !== row.pk ||
        b.actions.length >= MAX_TRANSACTION_ACTIONS ||
        b.bytes + parsed.bytes > MAX_BATCH_BYTES)
    ) {
      await this.flush();
    }
    this.batch ??= {
      table: row.t,
      tableName: this.tables.names[section.role],
      partitionKey: row.pk,
      actions: [],
      bytes: 0,
    };
    this.batch.actions.push(['upsert', entity, 'Replace']);
    this.batch.bytes += parsed.bytes;
  }

  /** Writes what is left, then the pause switch and the pending marks; returns what was written. */
  async finish(): Promise<ImportReport> {
    await this.flush();
    await this.drain();
    await this.restorePause();
    if (this.activePairs.length > 0) {
      const subscriptions = new TableSubscriptionRepository(
        this.tables.storage,
        this.tables.names.subscriptions,
      );
      await subscriptions.markPending(this.activePairs);
      this.report.pairsMarked = this.activePairs.length;
    }
    return this.report;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = undefined;
    if (!batch) return;
    const write = (async () => {
      const table = await this.tables.storage.table(batch.tableName);
      await table.submitTransaction(batch.actions);
      this.report.written[batch.table] += batch.actions.length;
    })()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
    if (this.inFlight.size >= CONCURRENCY) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** The month's count goes up to the backup's, never down, conditionally on the row's ETag. */
  private async raise(entity: WritableEntity): Promise<boolean> {
    const table = await this.tables.storage.table(this.tables.names.quota);
    const wanted = Number(entity.count ?? 0);
    let raised = false;
    await retryOnRace(async () => {
      const current = await readRow<{ count?: number }>(table, entity.partitionKey, entity.rowKey);
      if (current && Number(current.count ?? 0) >= wanted) return;
      if (current) await table.updateEntity(entity, 'Replace', { etag: current.etag });
      else await table.createEntity(entity);
      raised = true;
    });
    return raised;
  }

  /**
   * The pause switch's kinds and users as backed up (none when the backup has no switch row); the
   * organisation-wide switch stays as it is now, so a restore made while paused ends paused, and sync starts again
   * only with the admin's resume, which queues a pull of every folder it releases.
   */
  private async restorePause(): Promise<void> {
    const table: TableClient = await this.tables.storage.table(this.tables.names.jobs);
    const backup = this.pauseRow;
    await retryOnRace(async () => {
      const current = await readRow<{ paused?: boolean }>(table, 'control', 'pause');
      if (!current && !backup) return;
      const row: WritableEntity = {
        ...(backup ?? {}),
        partitionKey: 'control',
        rowKey: 'pause',
        paused: current?.paused === true,
        changedAt: new Date(this.now()),
      };
      if (current) await table.updateEntity(row, 'Replace', { etag: current.etag });
      else await table.createEntity(row);
      if (backup) this.report.written[TABLE_NAMES.jobs] = 1;
    });
  }
}

/** Runs a read-then-conditional-write again from a fresh read when another writer got in between. */
async function retryOnRace(attempt: () => Promise<void>): Promise<void> {
  for (let i = 0; i < MAX_TRIES; i++) {
    try {
      await attempt();
      return;
    } catch (err) {
      if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
    }
  }
  throw new Error('a row kept changing while the restore wrote it; run the restore again');
}
