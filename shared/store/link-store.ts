import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { Kind, Link, LinkStore, Side, UserRef } from '../sync/types';
import { entity } from './entity-size';
import { statusOf, translateWriteError } from './errors';
import { etagOf, readRow } from './table-ops';
import { joinKey, prefixRange } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * links table. Partition "<pairId>|<kind>" holds the link rows ("link|<linkId>") and one index row per side id
 * ("dingtalk|<id>", "outlook|<id>") that names the link. Sharing the partition lets a save write the link and
 * its index rows in one atomic transaction: there is never an index row for a link write that did not happen.
 *
 * An index row can still go stale (a side id changed, or the link was removed and a crash came before its index
 * rows were cleaned up), so a lookup follows it only when the link row it reaches still carries that id.
 *
 * Operations: findBySideId 2 point reads (1 on a miss) · save 1 transaction · remove 2-4 (conditional delete of
 * the link, one query for its index rows, a delete per index row still naming it) · listLinks 1 query.
 */
type LinkRow = {
  linkId: string;
  kind: string;
  dingtalkId?: string;
  outlookId?: string;
  dingtalkVersion?: string;
  outlookVersion?: string;
  projectionHash: string;
  tombstone?: boolean;
};
type IndexRow = { linkId: string };

const SIDE_ID = { dingtalk: 'dingtalkId', outlook: 'outlookId' } as const;

export class TableLinkStore implements LinkStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.links,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async findBySideId(user: UserRef, kind: Kind, side: Side, id: string): Promise<Link | undefined> {
    const table = await this.table();
    const partitionKey = partitionOf(user, kind);
    const index = await readRow<IndexRow>(table, partitionKey, joinKey(side, id));
    if (!index) return undefined;
    const row = await readRow<LinkRow>(table, partitionKey, joinKey('link', index.linkId));
    if (!row || row[SIDE_ID[side]] !== id) return undefined;
    return fromRow(row, row.etag);
  }

  async listLinks(user: UserRef, kind: Kind): Promise<Link[]> {
    const table = await this.table();
    const partitionKey = partitionOf(user, kind);
    const { from, to } = prefixRange('link');
    const out: Link[] = [];
    const rows = table.listEntities<LinkRow>({
      queryOptions: {
        filter: odata`PartitionKey eq ${partitionKey} and RowKey ge ${from} and RowKey lt ${to}`,
      },
    });
    for await (const row of rows) out.push(fromRow(row, row.etag));
    return out;
  }

  async save(user: UserRef, link: Link): Promise<Link> {
    const table = await this.table();
    const partitionKey = partitionOf(user, link.kind);
    const row = entity(partitionKey, joinKey('link', link.linkId), toRow(link));
    const actions: TransactionAction[] = [
      link.etag ? ['update', row, 'Replace', { etag: link.etag }] : ['create', row],
    ];
    for (const side of ['dingtalk', 'outlook'] as const) {
      const id = link[SIDE_ID[side]];
      if (id)
        actions.push(['upsert', entity(partitionKey, joinKey(side, id), { linkId: link.linkId }), 'Replace']);
    }
    try {
      return { ...link, etag: etagOf(await table.submitTransaction(actions), 0) };
    } catch (err) {
      translateWriteError(err, `save link ${link.linkId}`);
    }
  }

  async remove(user: UserRef, link: Link): Promise<void> {
    const table = await this.table();
    const partitionKey = partitionOf(user, link.kind);
    try {
      await table.deleteEntity(partitionKey, joinKey('link', link.linkId), { etag: link.etag ?? '*' });
    } catch (err) {
      if (statusOf(err) !== 404) translateWriteError(err, `remove link ${link.linkId}`);
    }
    await this.removeIndexRows(table, partitionKey, link);
  }

  /** Deletes the link's index rows, but only those still naming it: another link may have taken an id over. */
  private async removeIndexRows(table: TableClient, partitionKey: string, link: Link): Promise<void> {
    const rowKeys = (['dingtalk', 'outlook'] as const)
      .filter((side) => link[SIDE_ID[side]])
      .map((side) => joinKey(side, link[SIDE_ID[side]]!));
    if (rowKeys.length === 0) return;
    const filter = rowKeys.map((rowKey) => odata`RowKey eq ${rowKey}`).join(' or ');
    const rows = table.listEntities<IndexRow>({
      queryOptions: { filter: `${odata`PartitionKey eq ${partitionKey}`} and (${filter})` },
    });
    for await (const row of rows) {
      if (row.linkId !== link.linkId) continue;
      try {
        await table.deleteEntity(partitionKey, row.rowKey!, { etag: row.etag });
      } catch (err) {
        if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
      }
    }
  }
}

function partitionOf(user: UserRef, kind: Kind): string {
  return joinKey(user.pairId, kind);
}

function toRow(link: Link): LinkRow {
  return {
    linkId: link.linkId,
    kind: link.kind,
    dingtalkId: link.dingtalkId,
    outlookId: link.outlookId,
    dingtalkVersion: link.dingtalkVersion,
    outlookVersion: link.outlookVersion,
    projectionHash: link.projectionHash,
    tombstone: link.tombstone,
  };
}

function fromRow(row: LinkRow, etag: string | undefined): Link {
  return {
    linkId: row.linkId,
    kind: row.kind as Kind,
    dingtalkId: row.dingtalkId,
    outlookId: row.outlookId,
    dingtalkVersion: row.dingtalkVersion,
    outlookVersion: row.outlookVersion,
    projectionHash: row.projectionHash,
    tombstone: row.tombstone === true ? true : undefined,
    etag,
  };
}
