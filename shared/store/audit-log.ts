import { randomBytes } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { AuditAction, AuditEntry, AuditSink, Kind, Side } from '../sync/types';
import { AuditPublisher, type AuditPublisherOptions, type AuditRecord } from './audit-outbox';
import { auditRows, type AuditFilter } from './audit-search';
import { assertDay, utcDay } from './day';
import { entity, type WritableEntity } from './entity-size';
import { deleteWhere, MAX_TRANSACTION_ACTIONS } from './table-ops';
import { TABLE_NAMES } from './table-names';

/**
 * audit table: partition = UTC day of the entry (yyyyMMdd), row = inverted time + random suffix, so a day reads
 * newest first and two entries in the same millisecond never collide.
 *
 * Retention: 365 days. The timer calls purgeExpired(now) daily; it deletes whole day partitions older than that.
 *
 * A pull's rows usually come another way: its commit stores them on the state row (an outbox, audit-outbox.ts) and
 * `outbox` writes them here a few seconds later, many pulls to a transaction. The readers below flush it first, so
 * a process always reads the rows it committed (a failed write does not stop the read: its rows wait, durable).
 *
 * Operations: record 1 · recordMany and writeRecords 1 per 100 rows of a day · listDay 1 query per 1000 rows ·
 * purge: see deleteWhere.
 */
export const AUDIT_RETENTION_DAYS = 365;

/** Above the largest millisecond time this code will see (year 2286), so inverted times keep 13 digits. */
const TIME_CEILING = 9_999_999_999_999;
/** Within the service's 64 KiB per string property, with room to spare. */
const MAX_DETAIL_LENGTH = 30_000;
const MAX_REASON_LENGTH = 2_000;

type AuditRow = {
  at: string;
  pairId: string;
  kind: string;
  side?: string;
  action: string;
  dingtalkId?: string;
  outlookId?: string;
  reason: string;
  detail?: string;
  lagMs?: number;
};

export class TableAuditLog implements AuditSink {
  /** Committed outboxes on their way to this table. */
  readonly outbox: AuditPublisher;

  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.audit,
    publisher: AuditPublisherOptions = {},
  ) {
    this.outbox = new AuditPublisher((records) => this.writeRecords(records), publisher);
  }

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async record(entry: AuditEntry): Promise<void> {
    await (await this.table()).createEntity(auditEntity(placeAudit(entry)));
  }

  /**
   * Many entries at once, as entity-group transactions of up to 100 rows per day partition: a pull's audit rows
   * cost one operation, not one each.
   */
  recordMany(entries: AuditEntry[]): Promise<void> {
    return this.writeRecords(entries.map(placeAudit));
  }

  /**
   * Records under the row keys they carry, as upserts (writing one twice changes nothing), in entity-group
   * transactions of up to 100 rows per day partition.
   */
  async writeRecords(records: AuditRecord[]): Promise<void> {
    const byDay = new Map<string, WritableEntity[]>();
    for (const record of records) {
      const row = auditEntity(record);
      byDay.set(row.partitionKey, [...(byDay.get(row.partitionKey) ?? []), row]);
    }
    const table = await this.table();
    for (const rows of byDay.values()) {
      for (let i = 0; i < rows.length; i += MAX_TRANSACTION_ACTIONS) {
        await table.submitTransaction(
          rows
            .slice(i, i + MAX_TRANSACTION_ACTIONS)
            .map((row): TransactionAction => ['upsert', row, 'Replace']),
        );
      }
    }
  }

  /** Every entry of one UTC day (yyyyMMdd), newest first. */
  async listDay(day: string): Promise<AuditEntry[]> {
    assertDay(day);
    await this.outbox.flush().catch(() => undefined);
    const out: AuditEntry[] = [];
    const rows = (await this.table()).listEntities<AuditRow>({
      queryOptions: { filter: odata`PartitionKey eq ${day}` },
    });
    for await (const row of rows) out.push(fromRow(row));
    return out;
  }

  /** The rows of a day range that pass the filter, newest first (audit-search.ts). */
  async *rows(filter: AuditFilter): AsyncGenerator<AuditEntry> {
    await this.outbox.flush().catch(() => undefined);
    yield* auditRows(await this.table(), filter);
  }

  /** At most `limit` rows of the search, newest first: the query stops once it has them. */
  async search(filter: AuditFilter, limit: number): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    if (limit <= 0) return out;
    for await (const entry of this.rows(filter)) {
      out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * The rows of one kind written in [fromMs, toMs), both in one UTC day, that hold a lag (lagMs), newest first, at
   * most `limit`: one query of a key range of one day partition, stopped at `limit`.
   */
  async lagWindow(fromMs: number, toMs: number, kind: Kind, limit: number): Promise<AuditEntry[]> {
    const day = utcDay(fromMs);
    if (utcDay(toMs - 1) !== day) throw new RangeError('a lag window must lie within one UTC day');
    await this.outbox.flush().catch(() => undefined);
    const key = (ms: number) => String(TIME_CEILING - ms + 1).padStart(13, '0');
    const rows = (await this.table()).listEntities<AuditRow>({
      queryOptions: {
        filter: odata`PartitionKey eq ${day} and RowKey ge ${key(toMs)} and RowKey lt ${key(fromMs)} and kind eq ${kind} and lagMs ge ${0}`,
        select: ['at', 'pairId', 'kind', 'side', 'action', 'lagMs'],
      },
    });
    const out: AuditEntry[] = [];
    for await (const page of rows.byPage({ maxPageSize: limit })) {
      for (const row of page) if (out.length < limit) out.push(fromRow({ ...row, reason: '' }));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Deletes every day before `day` (exclusive). Returns the number of rows deleted. */
  async purgeBefore(day: string): Promise<number> {
    assertDay(day);
    return deleteWhere(await this.table(), odata`PartitionKey lt ${day}`);
  }

  purgeExpired(now: number, retentionDays = AUDIT_RETENTION_DAYS): Promise<number> {
    return this.purgeBefore(utcDay(now - retentionDays * 86_400_000));
  }

  /**
   * Clears the `detail` (the content a conflict or an import issue kept: both versions of an item) of the rows of
   * days from `fromDay` (inclusive) to `beforeDay` (exclusive), keeping the rest of each row. Returns how many rows
   * it cleared. Costs one query over those days and one transaction per 100 rows of a day.
   */
  async redactDetails(fromDay: string, beforeDay: string): Promise<number> {
    assertDay(fromDay);
    assertDay(beforeDay);
    const table = await this.table();
    const rows = table.listEntities<AuditRow>({
      queryOptions: {
        filter: odata`PartitionKey ge ${fromDay} and PartitionKey lt ${beforeDay} and detail ne ${''}`,
        select: ['PartitionKey', 'RowKey'],
      },
    });
    const byDay = new Map<string, string[]>();
    for await (const row of rows)
      byDay.set(row.partitionKey!, [...(byDay.get(row.partitionKey!) ?? []), row.rowKey!]);
    let cleared = 0;
    for (const [partitionKey, rowKeys] of byDay) {
      for (let i = 0; i < rowKeys.length; i += MAX_TRANSACTION_ACTIONS) {
        const actions = rowKeys
          .slice(i, i + MAX_TRANSACTION_ACTIONS)
          .map((rowKey): TransactionAction => ['update', { partitionKey, rowKey, detail: '' }, 'Merge']);
        await table.submitTransaction(actions);
        cleared += actions.length;
      }
    }
    return cleared;
  }
}

/**
 * The entry with its row key: its time inverted (newest first) and a random suffix (no two collide). Checked as a
 * row now (time, sizes), so a record that waits in an outbox can always be written later.
 */
export function placeAudit(entry: AuditEntry): AuditRecord {
  const inverted = String(TIME_CEILING - timeOf(entry)).padStart(13, '0');
  const record = { rowKey: `${inverted}-${randomBytes(4).toString('hex')}`, entry };
  auditEntity(record);
  return record;
}

function timeOf(entry: AuditEntry): number {
  const at = Date.parse(entry.at);
  if (Number.isNaN(at)) throw new RangeError(`audit entry time is not ISO 8601: ${JSON.stringify(entry.at)}`);
  return at;
}

function auditEntity({ rowKey, entry }: AuditRecord): WritableEntity {
  const at = timeOf(entry);
  const row: AuditRow = {
    at: entry.at,
    pairId: entry.pairId,
    kind: entry.kind,
    side: entry.side,
    action: entry.action,
    dingtalkId: entry.dingtalkId,
    outlookId: entry.outlookId,
    reason: truncate(entry.reason, MAX_REASON_LENGTH),
    detail: entry.detail === undefined ? undefined : truncate(entry.detail, MAX_DETAIL_LENGTH),
    lagMs: entry.lagMs,
  };
  return entity(utcDay(at), rowKey, row);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...[truncated]` : text;
}

function fromRow(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    at: row.at,
    pairId: row.pairId,
    kind: row.kind as Kind,
    action: row.action as AuditAction,
    reason: row.reason,
  };
  if (row.side) entry.side = row.side as Side;
  if (row.dingtalkId) entry.dingtalkId = row.dingtalkId;
  if (row.outlookId) entry.outlookId = row.outlookId;
  if (row.detail !== undefined) entry.detail = row.detail;
  if (typeof row.lagMs === 'number') entry.lagMs = row.lagMs;
  return entry;
}
