import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import { systemClock, type Clock } from '../platform/clock';
import type { Storage } from '../platform/storage';
import type { Kind } from '../sync/types';
import type { SubscriptionRepository } from './repositories';
import type { SubscriptionRecord } from './types';
import { entity } from './entity-size';
import { ignoreNotFound, statusOf, translateWriteError } from './errors';
import { readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * subscriptions table. Each subscription is its own partition ("sub|<subscriptionId>", row "subscription"),
 * not the user's partition the design sketch shows: Graph notifications carry only the subscription id, so the
 * hot lookup (every notification) is one point read. Listing by pair is a filter query, which only the timer
 * runs.
 *
 * Create claims live in partition "claim", row "<pairId>|<resource>": createEntity's 409 gives exclusivity, an
 * expired claim is taken over with an etag-conditional replace so that two takers cannot both win.
 *
 * Operations: get 1 · save 1 · remove 1 · listByPair/listAll 1 query (table scan) · claimCreate 1 (free),
 * 3 (expired takeover) · releaseCreate 2.
 */
const SUBSCRIPTION_ROW = 'subscription';
const CLAIM_PARTITION = 'claim';

type SubscriptionRow = Omit<SubscriptionRecord, 'etag'>;
type ClaimRow = { owner: string; until: Date };

export class TableSubscriptionRepository implements SubscriptionRepository {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.subscriptions,
    private readonly clock: Clock = systemClock,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  listByPair(pairId: string): Promise<SubscriptionRecord[]> {
    return this.query(odata`RowKey eq ${SUBSCRIPTION_ROW} and pairId eq ${pairId}`);
  }

  listAll(): Promise<SubscriptionRecord[]> {
    return this.query(odata`RowKey eq ${SUBSCRIPTION_ROW}`);
  }

  private async query(filter: string): Promise<SubscriptionRecord[]> {
    const out: SubscriptionRecord[] = [];
    for await (const row of (await this.table()).listEntities<SubscriptionRow>({
      queryOptions: { filter },
    })) {
      out.push(fromRow(row, row.etag));
    }
    return out;
  }

  async get(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const row = await readRow<SubscriptionRow>(
      await this.table(),
      partitionOf(subscriptionId),
      SUBSCRIPTION_ROW,
    );
    return row && fromRow(row, row.etag);
  }

  async save(record: SubscriptionRecord): Promise<SubscriptionRecord> {
    const table = await this.table();
    const row = entity(partitionOf(record.subscriptionId), SUBSCRIPTION_ROW, toRow(record));
    try {
      const result = record.etag
        ? await table.updateEntity(row, 'Replace', { etag: record.etag })
        : await table.createEntity(row);
      return { ...record, etag: result.etag };
    } catch (err) {
      translateWriteError(err, `save subscription ${record.subscriptionId}`);
    }
  }

  async remove(record: SubscriptionRecord): Promise<void> {
    const table = await this.table();
    try {
      await ignoreNotFound(
        table.deleteEntity(partitionOf(record.subscriptionId), SUBSCRIPTION_ROW, {
          etag: record.etag ?? '*',
        }),
      );
    } catch (err) {
      translateWriteError(err, `remove subscription ${record.subscriptionId}`);
    }
  }

  async claimCreate(pairId: string, resource: string, owner: string, ttlMs: number): Promise<boolean> {
    const table = await this.table();
    const rowKey = joinKey(pairId, resource);
    const now = this.clock.now();
    const claim = entity(CLAIM_PARTITION, rowKey, { owner, until: new Date(now + ttlMs) });
    try {
      await table.createEntity(claim);
      return true;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
    }
    const held = await readRow<ClaimRow>(table, CLAIM_PARTITION, rowKey);
    // Released between our create and read: the next timer run will claim it; don't race for it now.
    if (!held) return false;
    if (held.owner !== owner && held.until.getTime() > now) return false;
    try {
      await table.updateEntity(claim, 'Replace', { etag: held.etag });
      return true;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return false;
      throw err;
    }
  }

  async releaseCreate(pairId: string, resource: string, owner: string): Promise<void> {
    const table = await this.table();
    const rowKey = joinKey(pairId, resource);
    const held = await readRow<ClaimRow>(table, CLAIM_PARTITION, rowKey);
    if (!held || held.owner !== owner) return;
    try {
      await table.deleteEntity(CLAIM_PARTITION, rowKey, { etag: held.etag });
    } catch (err) {
      // Someone took the expired claim over or it is already gone: it is no longer ours to release.
      if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
    }
  }
}

function partitionOf(subscriptionId: string): string {
  return joinKey('sub', subscriptionId);
}

function toRow(record: SubscriptionRecord): SubscriptionRow {
  return {
    pairId: record.pairId,
    subscriptionId: record.subscriptionId,
    resource: record.resource,
    kind: record.kind,
    folder: record.folder,
    expiresAt: record.expiresAt,
    clientStateHash: record.clientStateHash,
    clientStateSalt: record.clientStateSalt,
  };
}

function fromRow(row: SubscriptionRow, etag: string | undefined): SubscriptionRecord {
  return { ...toRow(row), kind: row.kind as Kind, etag };
}
