import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import { systemClock, type Clock } from '../platform/clock';
import type { Storage } from '../platform/storage';
import type { Kind } from '../sync/types';
import { forEachBounded } from './bounded';
import type { PendingPair, SubscriptionRepository } from './repositories';
import type { SubscriptionRecord } from './types';
import { entity } from './entity-size';
import { ignoreNotFound, statusOf, translateWriteError } from './errors';
import { MAX_TRANSACTION_ACTIONS, readRow } from './table-ops';
import { joinKey, prefixRange } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * subscriptions table. Row families, each keyed for the one question it answers:
 *
 * - "sub|<subscriptionId>" / "subscription": the record. Graph notifications carry only the subscription id, so
 *   the hot lookup (every notification) is one point read.
 * - "pair|<pairId>" / "<resource>": which subscription a pair has for a resource (the keyed lookup that creates
 *   and removals use instead of scanning).
 * - "expiry|index" / "<expiresAt>|<subscriptionId>": the renewal index, in expiry order, so a timer run reads only
 *   the subscriptions whose renewal is due. An entry whose record moved on (renewed elsewhere, removed) is stale and
 *   is deleted when a run meets it.
 * - "pending|pairs" / "<notBefore>|<pairId>": pairs whose subscriptions must be brought in line with the pair
 *   (new, changed or no longer active), in the order they may be served; `firstSync` when the pair just became
 *   active and its first sync is to be queued as it is served (so first syncs follow the subscription pace).
 * - "claim" / "<pairId>|<resource>": a create in progress. createEntity's 409 gives exclusivity, an expired claim
 *   is taken over with an etag-conditional replace so that two takers cannot both win.
 *
 * Write order keeps every crash harmless: a new record's pair row is written before the record (a pair row without
 * its record reads as absent, and the Graph subscription becomes an orphan the daily audit deletes), and the
 * record before its expiry entry (the daily audit renews a record whose entry is missing).
 *
 * Operations: get 1 · save 3 (2 for an update) · renew 3 · remove 3 (+1 when its pair row points elsewhere) ·
 * listByPair 1 query + 1 per subscription · dueForRenewal 1 query + 1 per entry (+1 per stale entry) ·
 * markPending 1 transaction per 100 pairs · listPending 1 query · clearPending 1 · deferPending 2 ·
 * listAll 1 query (table scan: the daily audit only) · claimCreate 1 (3 for an expired takeover) · releaseCreate 2.
 */
const SUBSCRIPTION_ROW = 'subscription';
const CLAIM_PARTITION = 'claim';
const EXPIRY_PARTITION = joinKey('expiry', 'index');
const PENDING_PARTITION = joinKey('pending', 'pairs');
/** Transactions in flight at once when the pairing run marks many pairs (one partition takes 2,000 rows/s). */
const PENDING_WRITE_CONCURRENCY = 4;
/** Sorts before every real time: a pair marked pending is served at once. */
const NOW_OR_EARLIER = new Date(0).toISOString();

type SubscriptionRow = Omit<SubscriptionRecord, 'etag'>;
type ClaimRow = { owner: string; until: Date };
type PointerRow = { subscriptionId: string };
type PendingRow = { pairId: string; firstSync?: boolean };

export class TableSubscriptionRepository implements SubscriptionRepository {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.subscriptions,
    private readonly clock: Clock = systemClock,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async listByPair(pairId: string): Promise<SubscriptionRecord[]> {
    const table = await this.table();
    const ids: string[] = [];
    const rows = table.listEntities<PointerRow>({
      queryOptions: { filter: odata`PartitionKey eq ${pairPartition(pairId)}` },
    });
    for await (const row of rows) ids.push(row.subscriptionId);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is SubscriptionRecord => r?.pairId === pairId);
  }

  /** Every record: a table scan, for the daily audit only. */
  async listAll(): Promise<SubscriptionRecord[]> {
    const out: SubscriptionRecord[] = [];
    const { from, to } = prefixRange('sub');
    const rows = (await this.table()).listEntities<SubscriptionRow>({
      queryOptions: {
        filter: odata`PartitionKey ge ${from} and PartitionKey lt ${to} and RowKey eq ${SUBSCRIPTION_ROW}`,
      },
    });
    for await (const row of rows) out.push(fromRow(row, row.etag));
    return out;
  }

  async get(subscriptionId: string): Promise<SubscriptionRecord | undefined> {
    const row = await readRow<SubscriptionRow>(
      await this.table(),
      recordPartition(subscriptionId),
      SUBSCRIPTION_ROW,
    );
    return row && fromRow(row, row.etag);
  }

  async save(record: SubscriptionRecord): Promise<SubscriptionRecord> {
    const table = await this.table();
    if (!record.etag) {
      const pointer = entity(pairPartition(record.pairId), joinKey(record.resource), {
        subscriptionId: record.subscriptionId,
      });
      await table.upsertEntity(pointer, 'Replace');
    }
    const row = entity(recordPartition(record.subscriptionId), SUBSCRIPTION_ROW, toRow(record));
    let etag: string | undefined;
    try {
      const result = record.etag
        ? await table.updateEntity(row, 'Replace', { etag: record.etag })
        : await table.createEntity(row);
      etag = result.etag;
    } catch (err) {
      translateWriteError(err, `save subscription ${record.subscriptionId}`);
    }
    await table.upsertEntity(expiryEntry(record), 'Replace');
    return { ...record, etag };
  }

  /** Stores a renewal: the record with its new expiry, the new index entry, and the old entry gone. */
  async renew(record: SubscriptionRecord, expiresAt: string): Promise<SubscriptionRecord> {
    const saved = await this.save({ ...record, expiresAt });
    if (Date.parse(record.expiresAt) !== Date.parse(expiresAt)) await this.dropExpiryEntry(record);
    return saved;
  }

  async remove(record: SubscriptionRecord): Promise<void> {
    const table = await this.table();
    try {
      await ignoreNotFound(
        table.deleteEntity(recordPartition(record.subscriptionId), SUBSCRIPTION_ROW, {
          etag: record.etag ?? '*',
        }),
      );
    } catch (err) {
      translateWriteError(err, `remove subscription ${record.subscriptionId}`);
    }
    await this.dropExpiryEntry(record);
    const pointerKey = joinKey(record.resource);
    const pointer = await readRow<PointerRow>(table, pairPartition(record.pairId), pointerKey);
    if (pointer?.subscriptionId !== record.subscriptionId) return;
    try {
      await table.deleteEntity(pairPartition(record.pairId), pointerKey, { etag: pointer.etag });
    } catch (err) {
      // A newer subscription of the pair took the row over, or it is already gone: either way not ours.
      if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
    }
  }

  /**
   * Records whose expiry is before `before`, soonest first, at most `limit` entries looked at. Stale entries met on
   * the way (their record was renewed, moved or removed) are deleted.
   */
  async dueForRenewal(before: number, limit: number): Promise<SubscriptionRecord[]> {
    const table = await this.table();
    const entries: Array<{ rowKey: string; expiresAt: number; subscriptionId: string }> = [];
    const rows = table.listEntities<PointerRow>({
      queryOptions: {
        filter: odata`PartitionKey eq ${EXPIRY_PARTITION} and RowKey lt ${new Date(before).toISOString()}`,
      },
    });
    for await (const page of rows.byPage({ maxPageSize: limit })) {
      for (const row of page) {
        if (entries.length >= limit) break;
        const time = row.rowKey!.slice(0, row.rowKey!.indexOf('|'));
        entries.push({
          rowKey: row.rowKey!,
          expiresAt: Date.parse(time),
          subscriptionId: row.subscriptionId,
        });
      }
      if (entries.length >= limit) break;
    }
    const due: SubscriptionRecord[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const record = await this.get(entry.subscriptionId);
        if (record && Date.parse(record.expiresAt) === entry.expiresAt) due.push(record);
        else await ignoreNotFound(table.deleteEntity(EXPIRY_PARTITION, entry.rowKey));
      }),
    );
    return due.sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
  }

  /**
   * Asks for the pairs' subscriptions to be brought in line with the pairs, at the next run; with `firstSync`, the
   * pairs' first sync is queued when they are served. A merge: a pair marked again keeps a first sync not yet queued.
   */
  async markPending(pairIds: string[], options: { firstSync?: boolean } = {}): Promise<void> {
    const table = await this.table();
    const unique = [...new Set(pairIds)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += MAX_TRANSACTION_ACTIONS) {
      batches.push(unique.slice(i, i + MAX_TRANSACTION_ACTIONS));
    }
    await forEachBounded(batches, PENDING_WRITE_CONCURRENCY, async (batch) => {
      const actions: TransactionAction[] = batch.map((pairId) => [
        'upsert',
        pendingEntry(pairId, NOW_OR_EARLIER, options.firstSync),
        'Merge',
      ]);
      await table.submitTransaction(actions);
    });
  }

  /** Pending pairs that may be served at `now`, in order, at most `limit` (Infinity: every one, for the audit). */
  async listPending(now: number, limit: number): Promise<PendingPair[]> {
    const out: PendingPair[] = [];
    const rows = (await this.table()).listEntities<PendingRow>({
      queryOptions: {
        filter: odata`PartitionKey eq ${PENDING_PARTITION} and RowKey lt ${new Date(now).toISOString()}`,
      },
    });
    for await (const page of rows.byPage({ maxPageSize: Math.min(limit, 1000) })) {
      for (const row of page) {
        if (out.length < limit) {
          out.push({
            pairId: row.pairId,
            key: row.rowKey!,
            etag: row.etag,
            firstSync: row.firstSync === true,
          });
        }
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The pair was served. A pair marked again meanwhile keeps its entry (the etag changed) and is served again. */
  async clearPending(pending: PendingPair): Promise<void> {
    try {
      await (await this.table()).deleteEntity(PENDING_PARTITION, pending.key, { etag: pending.etag ?? '*' });
    } catch (err) {
      if (statusOf(err) !== 412 && statusOf(err) !== 404) throw err;
    }
  }

  /** Serving the pair failed: it waits until `notBefore`, behind the pairs that can be served now. */
  async deferPending(pending: PendingPair, notBefore: number): Promise<void> {
    const table = await this.table();
    const entry = pendingEntry(pending.pairId, new Date(notBefore).toISOString(), pending.firstSync);
    await table.upsertEntity(entry, 'Replace');
    await this.clearPending(pending);
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

  private async dropExpiryEntry(record: SubscriptionRecord): Promise<void> {
    const { partitionKey, rowKey } = expiryEntry(record);
    await ignoreNotFound((await this.table()).deleteEntity(partitionKey, rowKey));
  }
}

function recordPartition(subscriptionId: string): string {
  return joinKey('sub', subscriptionId);
}

function pairPartition(pairId: string): string {
  return joinKey('pair', pairId);
}

function expiryEntry(record: SubscriptionRecord) {
  const at = new Date(record.expiresAt).toISOString();
  return entity(EXPIRY_PARTITION, joinKey(at, record.subscriptionId), {
    subscriptionId: record.subscriptionId,
  });
}

function pendingEntry(pairId: string, notBefore: string, firstSync?: boolean) {
  const row: PendingRow = firstSync ? { pairId, firstSync } : { pairId };
  return entity(PENDING_PARTITION, joinKey(notBefore, pairId), row);
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
