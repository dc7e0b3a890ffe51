import { TABLE_NAMES } from '../table-names';
import type { StateTables } from './state-export';

/**
 * "Newer state" for a restore: a pair row (users) or a pairstate row whose Timestamp, the time the storage service
 * last wrote it, is later than the backup's moment (restore-marker.ts, backupMoment: by the same service's clock),
 * unless a restore of the same backup wrote it. Such a row was written after the backup's copy of it, so
 * restoring would put it back in time. The other sections are not asked: the pause switch was just changed by
 * the admin pausing, the quota counter only rises, and the colleagues directory is refreshed by the timer whether
 * sync is paused or not.
 *
 * Returns at most `limit` + 1 rows (one more than asked says there are more). Cost: one filtered query per table,
 * stopped once those are found. Timestamp is not indexed, so the service reads the table to answer; only matching
 * rows travel, but finding none costs about one query page per 1,000 rows stored (the service also returns empty
 * pages while it scans): minutes for millions of rows.
 */

export interface NewerRow {
  table: string;
  partitionKey: string;
  rowKey: string;
  timestamp: string;
}

const CHECKED = [
  { table: TABLE_NAMES.users, role: 'users' },
  { table: TABLE_NAMES.pairState, role: 'pairState' },
] as const;

/** `filter` selects by Timestamp (restore-marker.ts, newerFilter). */
export async function findNewerRows(tables: StateTables, filter: string, limit: number): Promise<NewerRow[]> {
  const found: NewerRow[] = [];
  for (const { table, role } of CHECKED) {
    const client = await tables.storage.table(tables.names[role]);
    const rows = client.listEntities<{ timestamp?: string }>({
      queryOptions: { filter, select: ['PartitionKey', 'RowKey', 'Timestamp'] },
    });
    for await (const row of rows) {
      found.push({
        table,
        partitionKey: row.partitionKey!,
        rowKey: row.rowKey!,
        timestamp: new Date(row.timestamp ?? 0).toISOString(),
      });
      if (found.length > limit) return found;
    }
  }
  return found;
}
