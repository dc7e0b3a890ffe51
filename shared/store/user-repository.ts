import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { Kind } from '../sync/types';
import { forEachBounded } from './bounded';
import type { UserRepository } from './repositories';
import type { UserPair } from './types';
import { entity } from './entity-size';
import { translateWriteError } from './errors';
import { etagOf, MAX_TRANSACTION_ACTIONS, readRow } from './table-ops';
import { joinKey, prefixRange } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * users table, spread over partitions so that neither the pairing run nor the sweep funnels through one:
 *
 * - Pair rows: partition "pair|<bucket>", row "<slot>|<pairId>". The slot (0 to SWEEP_SLOTS-1) is a stable hash
 *   of the pair id and the bucket is the slot divided by SLOTS_PER_PARTITION, so both keys follow from the pair id
 *   (get stays one point read) and a range of slots is a range of rows in one or a few partitions: the sweep reads
 *   only the pairs whose slots are due, never the whole table.
 * - Index rows: partition "index|<bucket of the id>", row "dt|<userId>" or "union|<unionId>", pointing at the
 *   pair. The Entra id needs none: the pair id is the Entra object id. Point reads rather than a filter query because ingress looks users up on every
 *   callback.
 *
 * A pair and its index rows live in different partitions, so no transaction covers both: index rows are written
 * first, then the pair row. Every lookup checks that the pair it reaches still carries the id, so an index row
 * whose pair write failed, or that an id change left behind, reads as "not found". Index rows are never deleted.
 * If two pairs claim one id, the last save wins the index row.
 *
 * Operations: get 1 · findByEntraId 1 · other find* 2 (index + pair) · save 2 (index transaction + pair) · saveMany 1 transaction per
 * 100 rows of a partition · listSlots 1 query per partition the range touches · list 1 query per 1,000 pairs.
 */

/** One slot per minute of a week, the longest sweep period (DINGTALK_SWEEP_HOURS ≤ 168). */
export const SWEEP_SLOTS = 10_080;
/**
 * Half a day of slots per partition: 14 partitions, at 10,000 pairs about 700 pairs each. A minute's sweep (168
 * slots at the default hourly Outlook period, 7 at the daily DingTalk one) then touches one or two partitions,
 * while the pairing run still writes to 14 pair partitions (and 64 index buckets) side by side.
 */
const SLOTS_PER_PARTITION = 720;
const INDEX_BUCKETS = 64;
/** Transactions in flight at once when many pairs are saved. */
const WRITE_CONCURRENCY = 16;

/** The Entra id needs no index row: it is the pair id (shared/sync/pairing.ts). */
const INDEXED = {
  dingtalkUserId: 'dt',
  dingtalkUnionId: 'union',
} as const;
type IndexedField = keyof typeof INDEXED;

type PairRow = {
  pairId: string;
  dingtalkUserId: string;
  dingtalkUnionId: string;
  entraId: string;
  userPrincipalName: string;
  email: string;
  status: UserPair['status'];
  enabledKinds: string;
  pairedBy: UserPair['pairedBy'];
};

/** The pair's sweep slot: a stable hash of its id, so it never moves and pairs spread evenly. */
export function sweepSlotOf(pairId: string): number {
  return createHash('sha256').update(pairId).digest().readUInt32BE(0) % SWEEP_SLOTS;
}

export class TableUserRepository implements UserRepository {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.users,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  /** Every pair. For the pairing run and daily jobs only: it reads the whole table. */
  async list(): Promise<UserPair[]> {
    const { from, to } = prefixRange('pair');
    return this.query(odata`PartitionKey ge ${from} and PartitionKey lt ${to}`);
  }

  /** The pairs whose sweep slot is in [from, to): one query per partition the range touches. */
  async listSlots(from: number, to: number): Promise<UserPair[]> {
    if (!(from >= 0 && to <= SWEEP_SLOTS && from < to)) return [];
    const queries: Promise<UserPair[]>[] = [];
    const lastBucket = bucketOfSlot(to - 1);
    for (let bucket = bucketOfSlot(from); bucket <= lastBucket; bucket++) {
      const partition = pairPartition(bucket);
      queries.push(
        this.query(
          odata`PartitionKey eq ${partition} and RowKey ge ${slotText(from)} and RowKey lt ${slotText(to)}`,
        ),
      );
    }
    return (await Promise.all(queries)).flat();
  }

  private async query(filter: string): Promise<UserPair[]> {
    const out: UserPair[] = [];
    const rows = (await this.table()).listEntities<PairRow>({ queryOptions: { filter } });
    for await (const row of rows) out.push(fromRow(row, row.etag));
    return out;
  }

  async get(pairId: string): Promise<UserPair | undefined> {
    const [partitionKey, rowKey] = pairKeys(pairId);
    const row = await readRow<PairRow>(await this.table(), partitionKey, rowKey);
    return row && fromRow(row, row.etag);
  }

  findByDingtalkUserId(userId: string): Promise<UserPair | undefined> {
    return this.findBy('dingtalkUserId', userId);
  }

  findByUnionId(unionId: string): Promise<UserPair | undefined> {
    return this.findBy('dingtalkUnionId', unionId);
  }

  async findByEntraId(entraId: string): Promise<UserPair | undefined> {
    const pair = entraId ? await this.get(entraId) : undefined;
    return pair?.entraId === entraId ? pair : undefined;
  }

  private async findBy(field: IndexedField, id: string): Promise<UserPair | undefined> {
    if (!id) return undefined;
    const [partitionKey, rowKey] = indexKeys(field, id);
    const index = await readRow<{ pairId: string }>(await this.table(), partitionKey, rowKey);
    if (!index) return undefined;
    const pair = await this.get(index.pairId);
    return pair && pair[field] === id ? pair : undefined;
  }

  /** Insert (no etag) or conditional replace; ConcurrencyError when stale, AlreadyExistsError when inserting twice. */
  async save(pair: UserPair): Promise<UserPair> {
    const table = await this.table();
    await submitGrouped(table, indexActions(pair));
    try {
      const result = await table.submitTransaction([pairAction(pair)]);
      return { ...pair, etag: etagOf(result, 0) };
    } catch (err) {
      translateWriteError(err, `save user pair ${pair.pairId}`);
    }
  }

  /**
   * Saves many pairs at once: every index row first, then the pair rows, each phase as transactions of up to 100
   * rows per partition, several in flight. A transaction whose pair rows meet a conflict is retried pair by pair,
   * so one stale pair costs only itself. Returns the saved pairs (with their etags) and the ones that failed.
   */
  async saveMany(
    pairs: UserPair[],
  ): Promise<{ saved: UserPair[]; failed: Array<{ pair: UserPair; error: unknown }> }> {
    const table = await this.table();
    await submitGrouped(table, pairs.flatMap(indexActions));
    const saved: UserPair[] = [];
    const failed: Array<{ pair: UserPair; error: unknown }> = [];
    const groups = [...groupByPartition(pairs, (p) => pairKeys(p.pairId)[0]).values()].flatMap((group) =>
      chunks(group, MAX_TRANSACTION_ACTIONS),
    );
    await forEachBounded(groups, WRITE_CONCURRENCY, async (group) => {
      try {
        const result = await table.submitTransaction(group.map(pairAction));
        group.forEach((pair, i) => saved.push({ ...pair, etag: etagOf(result, i) }));
        return;
      } catch {
        // One stale pair fails its whole transaction: find it by saving the group's pairs one at a time.
      }
      for (const pair of group) {
        try {
          const result = await table.submitTransaction([pairAction(pair)]);
          saved.push({ ...pair, etag: etagOf(result, 0) });
        } catch (error) {
          failed.push({ pair, error });
        }
      }
    });
    return { saved, failed };
  }
}

const bucketOfSlot = (slot: number) => Math.floor(slot / SLOTS_PER_PARTITION);
const pairPartition = (bucket: number) => joinKey('pair', String(bucket).padStart(2, '0'));
const slotText = (slot: number) => String(slot).padStart(5, '0');

function pairKeys(pairId: string): [string, string] {
  const slot = sweepSlotOf(pairId);
  return [pairPartition(bucketOfSlot(slot)), joinKey(slotText(slot), pairId)];
}

function indexKeys(field: IndexedField, id: string): [string, string] {
  const rowKey = joinKey(INDEXED[field], id);
  const bucket = createHash('sha256').update(rowKey).digest().readUInt32BE(0) % INDEX_BUCKETS;
  return [joinKey('index', String(bucket).padStart(2, '0')), rowKey];
}

function pairAction(pair: UserPair): TransactionAction {
  const [partitionKey, rowKey] = pairKeys(pair.pairId);
  const row = entity(partitionKey, rowKey, toRow(pair));
  return pair.etag ? ['update', row, 'Replace', { etag: pair.etag }] : ['create', row];
}

function indexActions(pair: UserPair): TransactionAction[] {
  const actions: TransactionAction[] = [];
  for (const field of Object.keys(INDEXED) as IndexedField[]) {
    const id = pair[field];
    if (!id) continue;
    const [partitionKey, rowKey] = indexKeys(field, id);
    actions.push(['upsert', entity(partitionKey, rowKey, { pairId: pair.pairId }), 'Replace']);
  }
  return actions;
}

/** Upserts grouped into transactions of up to 100 per partition (a row at most once per transaction). */
export async function submitGrouped(table: TableClient, actions: TransactionAction[]): Promise<void> {
  const latest = new Map<string, TransactionAction>();
  for (const action of actions) latest.set(`${action[1].partitionKey}\n${action[1].rowKey}`, action);
  const groups = [...groupByPartition([...latest.values()], (a) => a[1].partitionKey!).values()].flatMap(
    (group) => chunks(group, MAX_TRANSACTION_ACTIONS),
  );
  await forEachBounded(groups, WRITE_CONCURRENCY, async (group) => {
    await table.submitTransaction(group);
  });
}

function groupByPartition<T>(items: T[], partitionOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = partitionOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toRow(pair: UserPair): PairRow {
  return {
    pairId: pair.pairId,
    dingtalkUserId: pair.dingtalkUserId,
    dingtalkUnionId: pair.dingtalkUnionId,
    entraId: pair.entraId,
    userPrincipalName: pair.userPrincipalName,
    email: pair.email,
    status: pair.status,
    enabledKinds: JSON.stringify(pair.enabledKinds),
    pairedBy: pair.pairedBy,
  };
}

function fromRow(row: PairRow, etag: string | undefined): UserPair {
  return {
    pairId: row.pairId,
    dingtalkUserId: row.dingtalkUserId,
    dingtalkUnionId: row.dingtalkUnionId,
    entraId: row.entraId,
    userPrincipalName: row.userPrincipalName,
    email: row.email,
    status: row.status,
    enabledKinds: JSON.parse(row.enabledKinds) as Kind[],
    pairedBy: row.pairedBy,
    etag,
  };
}
