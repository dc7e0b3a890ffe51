import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { Kind } from '../sync/types';
import type { UserRepository } from './repositories';
import type { UserPair } from './types';
import { entity } from './entity-size';
import { translateWriteError } from './errors';
import { etagOf, readRow } from './table-ops';
import { joinKey, prefixRange } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * users table. One partition ("tenant") holds the pair rows ("pair|<pairId>") and one index row per external id
 * ("dt|<userId>", "union|<unionId>", "entra|<entraId>") pointing at the pair. Index rows rather than a filter
 * query because ingress looks users up on every callback: two point reads stay constant-time as the company
 * grows, while a filter scans the partition. Sharing the partition lets a save write the pair and its index rows
 * in one atomic transaction.
 *
 * Index rows are never deleted: when an id moves or disappears the old row stays, and every lookup checks that
 * the pair it reaches still carries the id, so a stale row reads as "not found". If two pairs claim one id, the
 * last save wins the index row.
 *
 * Operations: get 1 · find* 2 (index + pair) · save 1 (transaction) · list 1 query.
 */
const PARTITION = 'tenant';

const INDEXED = {
  dingtalkUserId: 'dt',
  dingtalkUnionId: 'union',
  entraId: 'entra',
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

export class TableUserRepository implements UserRepository {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.users,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async list(): Promise<UserPair[]> {
    const table = await this.table();
    const { from, to } = prefixRange('pair');
    const out: UserPair[] = [];
    const rows = table.listEntities<PairRow>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION} and RowKey ge ${from} and RowKey lt ${to}` },
    });
    for await (const row of rows) out.push(fromRow(row, row.etag));
    return out;
  }

  async get(pairId: string): Promise<UserPair | undefined> {
    const row = await readRow<PairRow>(await this.table(), PARTITION, joinKey('pair', pairId));
    return row && fromRow(row, row.etag);
  }

  findByDingtalkUserId(userId: string): Promise<UserPair | undefined> {
    return this.findBy('dingtalkUserId', userId);
  }

  findByUnionId(unionId: string): Promise<UserPair | undefined> {
    return this.findBy('dingtalkUnionId', unionId);
  }

  findByEntraId(entraId: string): Promise<UserPair | undefined> {
    return this.findBy('entraId', entraId);
  }

  private async findBy(field: IndexedField, id: string): Promise<UserPair | undefined> {
    if (!id) return undefined;
    const index = await readRow<{ pairId: string }>(
      await this.table(),
      PARTITION,
      joinKey(INDEXED[field], id),
    );
    if (!index) return undefined;
    const pair = await this.get(index.pairId);
    return pair && pair[field] === id ? pair : undefined;
  }

  async save(pair: UserPair): Promise<UserPair> {
    const table = await this.table();
    const row = entity(PARTITION, joinKey('pair', pair.pairId), toRow(pair));
    const actions: TransactionAction[] = [
      pair.etag ? ['update', row, 'Replace', { etag: pair.etag }] : ['create', row],
    ];
    for (const field of Object.keys(INDEXED) as IndexedField[]) {
      const id = pair[field];
      if (id)
        actions.push([
          'upsert',
          entity(PARTITION, joinKey(INDEXED[field], id), { pairId: pair.pairId }),
          'Replace',
        ]);
    }
    try {
      const result = await table.submitTransaction(actions);
      return { ...pair, etag: etagOf(result, 0) };
    } catch (err) {
      translateWriteError(err, `save user pair ${pair.pairId}`);
    }
  }
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
