import type { TableClient } from '@azure/data-tables';
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
 * Operations: get 1 · put 1 (upsert: writing the same intent twice is harmless) · remove 1.
 */
type IntentRow = { kind: string; targetSide: string; sourceId: string; originKey: string; createdAt: string };

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
    if (!row) return undefined;
    return {
      kind: row.kind as Kind,
      targetSide: row.targetSide as Side,
      sourceId: row.sourceId,
      originKey: row.originKey,
      createdAt: row.createdAt,
    };
  }

  async put(user: UserRef, intent: Intent): Promise<void> {
    const table = await this.table();
    const row = entity(joinKey(user.pairId, intent.kind), joinKey(intent.targetSide, intent.sourceId), {
      kind: intent.kind,
      targetSide: intent.targetSide,
      sourceId: intent.sourceId,
      originKey: intent.originKey,
      createdAt: intent.createdAt,
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
