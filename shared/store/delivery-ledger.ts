import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { DeliveryLedger } from './repositories';
import { assertDay, utcDay } from './day';
import { entity } from './entity-size';
import { statusOf } from './errors';
import { deleteWhere, readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';

type Source = 'dingtalk' | 'graph';
const SOURCES: Source[] = ['dingtalk', 'graph'];

/**
 * deliveries table: partition "<source>|<yyyyMMdd>" (UTC day the delivery was first seen), row = delivery id.
 * createEntity is the test: it succeeds once, and 409 means the delivery was seen before.
 *
 * Senders retry for hours (Graph up to 4 h), so a repeat can land on the next day's partition. In the first
 * hours of a day a first sighting also checks yesterday's partition.
 *
 * Retention: rows are only needed while senders retry. The timer calls purgeBefore(utcDay(now - 2 days)) daily.
 *
 * Operations: seen 1 (2 within the look-back after midnight) · firstSeen 1 (2 likewise) · purge: see deleteWhere.
 */
export const DELIVERY_LOOKBACK_MS = 6 * 3600_000;

export class TableDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.deliveries,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async firstSeen(source: Source, deliveryId: string, now: number): Promise<boolean> {
    const table = await this.table();
    const rowKey = joinKey(deliveryId);
    try {
      await table.createEntity(entity(joinKey(source, utcDay(now)), rowKey, { seenAt: new Date(now) }));
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
    const yesterday = utcDay(now - DELIVERY_LOOKBACK_MS);
    if (yesterday === utcDay(now)) return true;
    return (await readRow(table, joinKey(source, yesterday), rowKey)) === undefined;
  }

  async seen(source: Source, deliveryId: string, now: number): Promise<boolean> {
    const table = await this.table();
    const rowKey = joinKey(deliveryId);
    if (await readRow(table, joinKey(source, utcDay(now)), rowKey)) return true;
    const yesterday = utcDay(now - DELIVERY_LOOKBACK_MS);
    return (
      yesterday !== utcDay(now) && (await readRow(table, joinKey(source, yesterday), rowKey)) !== undefined
    );
  }

  /** Deletes the rows of every day before `day` (exclusive), for both sources. Returns the number deleted. */
  async purgeBefore(day: string): Promise<number> {
    assertDay(day);
    const table = await this.table();
    let deleted = 0;
    for (const source of SOURCES) {
      const from = joinKey(source, '');
      deleted += await deleteWhere(
        table,
        odata`PartitionKey ge ${from} and PartitionKey lt ${joinKey(source, day)}`,
      );
    }
    return deleted;
  }
}
