import type {
  TableClient,
  TableEntityResult,
  TableTransactionResponse,
  TransactionAction,
} from '@azure/data-tables';
import { statusOf } from './errors';

/** Small helpers every repository needs; each costs exactly the table operations it names. */

/** One point read; a missing row is undefined, not an error. */
export async function readRow<T extends object>(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<T> | undefined> {
  try {
    return await table.getEntity<T>(partitionKey, rowKey);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}

/**
 * The etag of the n-th action of a committed transaction. Sub-responses come back in action order; the SDK's
 * own lookup by row key parses it from a URL and misses keys with escaped characters.
 */
export function etagOf(result: TableTransactionResponse, index: number): string | undefined {
  return result.subResponses[index]?.etag?.trim();
}

/** A transaction holds at most 100 actions. */
export const MAX_TRANSACTION_ACTIONS = 100;

/**
 * Deletes every row the filter selects, partition by partition, 100 per transaction. For retention jobs on the
 * timer, never on a sync path: it costs one query page per 1000 rows plus one transaction per 100 rows.
 */
export async function deleteWhere(table: TableClient, filter: string): Promise<number> {
  const byPartition = new Map<string, string[]>();
  const rows = table.listEntities({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } });
  for await (const row of rows) {
    const keys = byPartition.get(row.partitionKey!) ?? [];
    keys.push(row.rowKey!);
    byPartition.set(row.partitionKey!, keys);
  }
  let deleted = 0;
  for (const [partitionKey, rowKeys] of byPartition) {
    for (let i = 0; i < rowKeys.length; i += MAX_TRANSACTION_ACTIONS) {
      const actions: TransactionAction[] = rowKeys
        .slice(i, i + MAX_TRANSACTION_ACTIONS)
        .map((rowKey) => ['delete', { partitionKey, rowKey }]);
      await table.submitTransaction(actions);
      deleted += actions.length;
    }
  }
  return deleted;
}
