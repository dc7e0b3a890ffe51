import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { Intent, IntentStore, Kind, Side, UserRef } from '../sync/types';
import { entity } from './entity-size';
import { ignoreNotFound } from './errors';
import { readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * intents table: partition "<pairId>|<kind>", row "<targetSide>|<sourceId>". An intent is written before a
 * remote create and removed once the link is stored, so a retry after a crash finds the half-done create.
 *
 * Operations: get 1 · put 1 (upsert: writing the same intent twice is harmless) · remove 1 · list 1 query.
 */
type IntentRow = {
  kind: string;
  targetSide: string;
  sourceId: string;
  originKey: string;
  createdAt: string;
  replacesId?: string;
};

export class TableIntentStore implements IntentStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.intents,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async get(user: UserRef, kind: Kind, targetSide: Side, sourceId: string): Promise<Intent | undefined> {
    const row = await readRow<IntentRow>(
      await this.table(),
      joinKey(user.pairId, kind),
      joinKey(targetSide, sourceId),
    );
    return row && fromRow(row);
  }

  /** Every pending intent of one user and kind: the engine replays them before it pulls either side. */
  async list(user: UserRef, kind: Kind): Promise<Intent[]> {
    const out: Intent[] = [];
    const rows = (await this.table()).listEntities<IntentRow>({
      queryOptions: { filter: odata`PartitionKey eq ${joinKey(user.pairId, kind)}` },
    });
    for await (const row of rows) out.push(fromRow(row));
    return out;
  }

  async put(user: UserRef, intent: Intent): Promise<void> {
    const table = await this.table();
    const row = entity(joinKey(user.pairId, intent.kind), joinKey(intent.targetSide, intent.sourceId), {
      kind: intent.kind,
      targetSide: intent.targetSide,
      sourceId: intent.sourceId,
      originKey: intent.originKey,
      createdAt: intent.createdAt,
      replacesId: intent.replacesId,
    });
    await table.upsertEntity(row, 'Replace');
  }

  async remove(user: UserRef, intent: Intent): Promise<void> {
    const table = await this.table();
    await ignoreNotFound(
      table.deleteEntity(joinKey(user.pairId, intent.kind), joinKey(intent.targetSide, intent.sourceId)),
    );
  }
}

function fromRow(row: IntentRow): Intent {
  const intent: Intent = {
    kind: row.kind as Kind,
    targetSide: row.targetSide as Side,
    sourceId: row.sourceId,
    originKey: row.originKey,
    createdAt: row.createdAt,
  };
  if (row.replacesId) intent.replacesId = row.replacesId;
  return intent;
}
