import type { TableClient } from '@azure/data-tables';
import type { Storage } from '../platform/storage';
import { ConcurrencyError } from '../sync/types';
import type { CursorRepository } from './repositories';
import type { CursorState } from './types';
import { entity } from './entity-size';
import { statusOf, translateWriteError } from './errors';
import { readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * cursors table: partition = pair id, row = cursor key (both through encodeKeyPart) ("calendar.outlook.calendar"). One row holds the cursor,
 * the lease (owner + until) and the dirty flag, so mutual exclusion and hint collapse need no second row.
 *
 * markDirty is a blind merge (it only sets the flag), so it never conflicts with a lease holder. The lease
 * holder's own writes are etag-checked; when one meets 412 it re-reads, and if the lease is still its own it
 * retries on the fresh etag (the change was a hint's dirty flag), otherwise it has lost the lease.
 *
 * Empty strings and the zero time stand for "none": a merge cannot remove a property.
 *
 * Operations: get 1 · markDirty 1 · acquireLease 2 (read + conditional merge; +2 per lost race) ·
 * saveCursor 1 (+2 when a hint raced it) · releaseLease 1 (+2 likewise) · listAll 1 query.
 */
type CursorRow = {
  pairId: string;
  key: string;
  cursor?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
  dirty?: boolean;
  lastError?: string;
  lastSyncedAt?: string;
};

const NO_LEASE = new Date(0);
/** Bound on re-reads when hints keep changing the row under a writer; each retry needs a fresh hint to fail. */
const MAX_ATTEMPTS = 10;

export class TableCursorRepository implements CursorRepository {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.cursors,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  async get(pairId: string, key: string): Promise<CursorState | undefined> {
    const row = await readRow<CursorRow>(await this.table(), joinKey(pairId), joinKey(key));
    return row && fromRow(row, row.etag);
  }

  async markDirty(pairId: string, key: string): Promise<void> {
    const table = await this.table();
    await table.upsertEntity(entity(joinKey(pairId), joinKey(key), { pairId, key, dirty: true }), 'Merge');
  }

  async acquireLease(
    pairId: string,
    key: string,
    owner: string,
    ttlMs: number,
    now: number,
  ): Promise<CursorState | undefined> {
    const table = await this.table();
    const partitionKey = joinKey(pairId);
    const rowKey = joinKey(key);
    const lease = { pairId, key, leaseOwner: owner, leaseUntil: new Date(now + ttlMs), dirty: false };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await readRow<CursorRow>(table, partitionKey, rowKey);
      try {
        if (!row) {
          const created = await table.createEntity(entity(partitionKey, rowKey, lease));
          return fromRow(lease, created.etag);
        }
        if (row.leaseOwner && row.leaseOwner !== owner && (row.leaseUntil?.getTime() ?? 0) > now)
          return undefined;
        const updated = await table.updateEntity(entity(partitionKey, rowKey, lease), 'Merge', {
          etag: row.etag,
        });
        return fromRow({ ...row, ...lease }, updated.etag);
      } catch (err) {
        // Someone wrote first: a rival acquirer (the re-read shows its lease) or a hint (retry).
        if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
      }
    }
    throw new ConcurrencyError(`cursor ${pairId}/${key}: the row kept changing while taking the lease`);
  }

  async saveCursor(state: CursorState): Promise<CursorState> {
    const fields = {
      cursor: state.cursor ?? '',
      lastSyncedAt: state.lastSyncedAt ?? new Date().toISOString(),
    };
    const { etag, dirty } = await this.writeUnderLease(state, fields);
    return { ...state, ...fields, cursor: state.cursor, etag, dirty };
  }

  async releaseLease(state: CursorState, lastError?: string): Promise<boolean> {
    const fields = { leaseOwner: '', leaseUntil: NO_LEASE, lastError: lastError ?? '' };
    try {
      const { dirty } = await this.writeUnderLease(state, fields);
      return dirty;
    } catch (err) {
      // The lease had already passed to another worker; that worker pulls, so nothing is left for us to do.
      if (err instanceof ConcurrencyError) return false;
      throw err;
    }
  }

  /**
   * Merges fields while the caller still holds the lease. Returns the new etag and the dirty flag as it stood
   * when the write went in.
   */
  private async writeUnderLease(
    state: CursorState,
    fields: Record<string, string | Date>,
  ): Promise<{ etag: string | undefined; dirty: boolean }> {
    const table = await this.table();
    const partitionKey = joinKey(state.pairId);
    const rowKey = joinKey(state.key);
    const row = entity(partitionKey, rowKey, fields);
    let etag = state.etag;
    let dirty = state.dirty;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!etag) break;
      try {
        const result = await table.updateEntity(row, 'Merge', { etag });
        return { etag: result.etag, dirty };
      } catch (err) {
        if (statusOf(err) !== 412) translateWriteError(err, `cursor ${state.pairId}/${state.key}`);
      }
      const fresh = await readRow<CursorRow>(table, partitionKey, rowKey);
      if (!fresh || fresh.leaseOwner !== state.leaseOwner || !state.leaseOwner) break;
      etag = fresh.etag;
      dirty = fresh.dirty === true;
    }
    throw new ConcurrencyError(`cursor ${state.pairId}/${state.key}: the lease was lost`);
  }

  async listAll(): Promise<CursorState[]> {
    const out: CursorState[] = [];
    for await (const row of (await this.table()).listEntities<CursorRow>()) out.push(fromRow(row, row.etag));
    return out;
  }
}

function fromRow(row: CursorRow, etag: string | undefined): CursorState {
  const leaseUntil = row.leaseUntil?.getTime() ?? 0;
  return {
    pairId: row.pairId,
    key: row.key,
    cursor: row.cursor || undefined,
    leaseOwner: row.leaseOwner || undefined,
    leaseUntil: leaseUntil > 0 ? leaseUntil : undefined,
    dirty: row.dirty === true,
    lastError: row.lastError || undefined,
    lastSyncedAt: row.lastSyncedAt || undefined,
    etag,
  };
}
