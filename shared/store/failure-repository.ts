import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import { redactText } from '../platform/logger';
import type { Storage } from '../platform/storage';
import type { FailureRepository } from './repositories';
import { cursorKey, type FailureRecord, type WorkItem } from './types';
import { retryDelayMs } from './backoff';
import { entity } from './entity-size';
import { ignoreNotFound, statusOf } from './errors';
import { readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';
import { parseWorkItem } from './work-item';

/**
 * failures table: partition = pair id, row = cursor key of the failed work. Keyed by the folder rather than by
 * date (the design sketch) because a retry pulls the whole folder from its cursor: a second failure of the same
 * folder bumps the attempt count of the row that is already there instead of adding one.
 *
 * Retry schedule: partition "retry|due", row "<nextTryAt>|<pairId>|<cursor key>", one entry per failure that is
 * not permanent, in the order they fall due, so due() reads only the due rows however many failures (permanent ones
 * included) the table holds. The failure row is written before its entry and is the truth: an entry whose row moved
 * on (retried, settled, bumped) is stale and is deleted when due() meets it. A crash between the two writes leaves a
 * failure without an entry; its folder is still pulled by the safety sweep, and its next failure schedules it again.
 *
 * Permanent failures are kept for an admin to see and are never returned by due().
 *
 * Operations: record 4 (read, write, entry, old entry) · due 1 query + 1 per entry (+1 per stale entry) ·
 * settle 3 · list 1 query.
 */
type FailureRow = { work: string; attempts: number; nextTryAt: Date; lastError: string; permanent: boolean };

/** Long enough to diagnose, short enough that a huge error body cannot break the row. */
const MAX_ERROR_LENGTH = 4000;
const MAX_ATTEMPTS = 5;
const SCHEDULE_PARTITION = joinKey('retry', 'due');

export class TableFailureRepository implements FailureRepository {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.failures,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async record(work: WorkItem, error: string, permanent: boolean, now: number): Promise<FailureRecord> {
    const table = await this.table();
    const valid = parseWorkItem(work);
    const [partitionKey, rowKey] = keysOf(valid);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing = await readRow<FailureRow>(table, partitionKey, rowKey);
      const previous = existing && fromRow(existing, existing.etag);
      const attempts = (previous?.attempts ?? 0) + 1;
      const merged: WorkItem = { ...valid, resync: valid.resync || previous?.work.resync || undefined };
      const record: FailureRecord = {
        id: `${partitionKey}/${rowKey}`,
        work: merged,
        attempts,
        nextTryAt: new Date(now + retryDelayMs(attempts)).toISOString(),
        lastError: cleanError(error),
        permanent,
      };
      const row = entity(partitionKey, rowKey, toRow(record));
      try {
        const result = existing
          ? await table.updateEntity(row, 'Replace', { etag: existing.etag })
          : await table.createEntity(row);
        await reschedule(table, previous, record);
        return { ...record, etag: result.etag };
      } catch (err) {
        // Another worker recorded the same folder at the same moment: read its row and count both failures.
        if (statusOf(err) !== 409 && statusOf(err) !== 412) throw err;
      }
    }
    throw new Error(`failure row ${partitionKey}/${rowKey} kept changing; the failure was not recorded`);
  }

  async due(now: number, limit: number): Promise<FailureRecord[]> {
    const table = await this.table();
    const entries: Array<{ rowKey: string; pairId: string; key: string }> = [];
    const rows = table.listEntities<ScheduleRow>({
      queryOptions: {
        filter: odata`PartitionKey eq ${SCHEDULE_PARTITION} and RowKey lt ${scheduleBound(now)}`,
      },
    });
    for await (const page of rows.byPage({ maxPageSize: limit })) {
      for (const row of page) if (entries.length < limit) entries.push({ ...row, rowKey: row.rowKey! });
      if (entries.length >= limit) break;
    }
    const due: FailureRecord[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const row = await readRow<FailureRow>(table, entry.pairId, entry.key);
        const record = row && fromRow(row, row.etag);
        if (record && !record.permanent && scheduleKey(record) === entry.rowKey) due.push(record);
        else await ignoreNotFound(table.deleteEntity(SCHEDULE_PARTITION, entry.rowKey));
      }),
    );
    return due.sort((a, b) => a.nextTryAt.localeCompare(b.nextTryAt));
  }

  async settle(
    record: FailureRecord,
    outcome: { ok: true } | { ok: false; error: string; permanent: boolean },
    now: number,
  ): Promise<void> {
    const table = await this.table();
    const [partitionKey, rowKey] = keysOf(record.work);
    try {
      if (outcome.ok) {
        await table.deleteEntity(partitionKey, rowKey, { etag: record.etag ?? '*' });
        await reschedule(table, record, undefined);
        return;
      }
      const attempts = record.attempts + 1;
      const next: FailureRecord = {
        ...record,
        attempts,
        nextTryAt: new Date(now + retryDelayMs(attempts)).toISOString(),
        lastError: cleanError(outcome.error),
        permanent: outcome.permanent,
      };
      await table.updateEntity(entity(partitionKey, rowKey, toRow(next)), 'Replace', {
        etag: record.etag ?? '*',
      });
      await reschedule(table, record, next);
    } catch (err) {
      // 412: a newer failure of the same folder was recorded meanwhile and stands. 404: already settled.
      if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
    }
  }

  /** After a retry that succeeded: the folder's failure (if one is still recorded) goes. */
  async clear(work: WorkItem, now: number): Promise<void> {
    const [partitionKey, rowKey] = keysOf(work);
    const row = await readRow<FailureRow>(await this.table(), partitionKey, rowKey);
    if (row) await this.settle(fromRow(row, row.etag), { ok: true }, now);
  }

  /** Every failure; `limit` stops the read there (the status page's capped count). */
  async list(limit = Infinity): Promise<FailureRecord[]> {
    const out: FailureRecord[] = [];
    const rows = (await this.table()).listEntities<FailureRow>({
      queryOptions: { filter: odata`PartitionKey ne ${SCHEDULE_PARTITION}` },
    });
    for await (const row of rows) {
      if (out.length >= limit) break;
      out.push(fromRow(row, row.etag));
    }
    return out;
  }

  /** One pair's failures: one query of its partition. */
  async listForPair(pairId: string): Promise<FailureRecord[]> {
    const out: FailureRecord[] = [];
    const rows = (await this.table()).listEntities<FailureRow>({
      queryOptions: { filter: odata`PartitionKey eq ${joinKey(pairId)}` },
    });
    for await (const row of rows) out.push(fromRow(row, row.etag));
    return out;
  }

  /** An admin's decision: the failure goes (its schedule entry too), whatever it was. */
  async remove(record: FailureRecord): Promise<void> {
    const [partitionKey, rowKey] = keysOf(record.work);
    await ignoreNotFound(
      (await this.table()).deleteEntity(partitionKey, rowKey, { etag: record.etag ?? '*' }),
    );
    await reschedule(await this.table(), record, undefined);
  }
}

function keysOf(work: WorkItem): [string, string] {
  return [joinKey(work.pairId), joinKey(cursorKey(work))];
}

type ScheduleRow = { pairId: string; key: string };

/** The schedule entry's row key: due time first, so entries sort in the order they fall due. */
function scheduleKey(record: Pick<FailureRecord, 'work' | 'nextTryAt'>): string {
  const [partitionKey, rowKey] = keysOf(record.work);
  return `${joinKey(new Date(record.nextTryAt).toISOString())}|${partitionKey}|${rowKey}`;
}

/** Every entry due at `now` sorts below this: the separator follows the time, and '~' sorts after '|'. */
function scheduleBound(now: number): string {
  return `${new Date(now).toISOString()}~`;
}

/** Moves a failure's schedule entry from what it was to what it is (undefined: none, e.g. settled or permanent). */
async function reschedule(
  table: TableClient,
  before: FailureRecord | undefined,
  after: FailureRecord | undefined,
): Promise<void> {
  const wanted = after && !after.permanent ? scheduleKey(after) : undefined;
  if (wanted) {
    const [pairId, key] = keysOf(after!.work);
    await table.upsertEntity(entity(SCHEDULE_PARTITION, wanted, { pairId, key }), 'Replace');
  }
  const old = before && !before.permanent ? scheduleKey(before) : undefined;
  if (old && old !== wanted) await ignoreNotFound(table.deleteEntity(SCHEDULE_PARTITION, old));
}

function cleanError(error: string): string {
  const safe = redactText(error);
  return safe.length > MAX_ERROR_LENGTH ? `${safe.slice(0, MAX_ERROR_LENGTH)}...` : safe;
}

function toRow(record: FailureRecord): FailureRow {
  return {
    work: JSON.stringify(record.work),
    attempts: record.attempts,
    nextTryAt: new Date(record.nextTryAt),
    lastError: record.lastError,
    permanent: record.permanent,
  };
}

function fromRow(
  row: FailureRow & { partitionKey?: string; rowKey?: string },
  etag: string | undefined,
): FailureRecord {
  return {
    id: `${row.partitionKey}/${row.rowKey}`,
    work: parseWorkItem(JSON.parse(row.work)),
    attempts: row.attempts,
    nextTryAt: row.nextTryAt.toISOString(),
    lastError: row.lastError,
    permanent: row.permanent,
    etag,
  };
}
