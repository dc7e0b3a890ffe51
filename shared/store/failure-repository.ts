import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import { redactText } from '../platform/logger';
import type { Storage } from '../platform/storage';
import type { FailureRepository } from './repositories';
import { cursorKey, type FailureRecord, type WorkItem } from './types';
import { retryDelayMs } from './backoff';
import { entity } from './entity-size';
import { statusOf } from './errors';
import { readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';
import { parseWorkItem } from './work-item';

/**
 * failures table: partition = pair id, row = cursor key of the failed work. Keyed by the folder rather than by
 * date (the design sketch) because a retry pulls the whole folder from its cursor: a second failure of the same
 * folder bumps the attempt count of the row that is already there instead of adding one.
 *
 * due() filters on nextTryAt across the table; the table stays small (one row per failing folder).
 * Permanent failures are kept for an admin to see and are never returned by due().
 *
 * Operations: record 2 (read + write) · due 1 query · settle 1 · list 1 query.
 */
type FailureRow = { work: string; attempts: number; nextTryAt: Date; lastError: string; permanent: boolean };

/** Long enough to diagnose, short enough that a huge error body cannot break the row. */
const MAX_ERROR_LENGTH = 4000;
const MAX_ATTEMPTS = 5;

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
    const out: FailureRecord[] = [];
    const rows = table.listEntities<FailureRow>({
      queryOptions: { filter: odata`permanent eq false and nextTryAt le ${new Date(now)}` },
    });
    for await (const row of rows) {
      if (out.length >= limit) break;
      out.push(fromRow(row, row.etag));
    }
    return out.sort((a, b) => a.nextTryAt.localeCompare(b.nextTryAt));
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
    } catch (err) {
      // 412: a newer failure of the same folder was recorded meanwhile and stands. 404: already settled.
      if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
    }
  }

  async list(): Promise<FailureRecord[]> {
    const out: FailureRecord[] = [];
    for await (const row of (await this.table()).listEntities<FailureRow>()) out.push(fromRow(row, row.etag));
    return out;
  }
}

function keysOf(work: WorkItem): [string, string] {
  return [joinKey(work.pairId), joinKey(cursorKey(work))];
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
