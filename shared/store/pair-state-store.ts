import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import type { Intent, Kind, Link, Side, UndoMark } from '../sync/types';
import { ConcurrencyError } from '../sync/types';
import type { AuditOutbox } from './audit-outbox';
import { entity } from './entity-size';
import { statusOf } from './errors';
import { etagOf, MAX_TRANSACTION_ACTIONS, readRow } from './table-ops';
import { joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';

/**
 * pairstate table. One partition per (pair, kind), "<pairId>|<kind>", holds everything a pull reads and writes:
 *
 * - row "state": the lease (owner, until), each side's cursor and the time its last committed pull began listing,
 *   the pending create intents (JSON) and the audit rows of the last commits not yet known to be in the audit table
 *   (JSON, audit-outbox.ts). One row instead of a folder lease per side plus a pair lock.
 * - rows "<side>|<item id>": the link of that item, one full copy per side id, so a lookup by either side's id is
 *   one point read and a batch of ids one query.
 *
 * Sharing the partition lets a pull commit its links, its intents and its new cursor in one entity-group
 * transaction (https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions), and
 * every transaction carries the state row conditioned on its etag, so a worker that lost its lease writes nothing.
 *
 * A key row can go stale (the link moved to another id of that side): it is overwritten with the link's current
 * content, and a lookup trusts a row only when it still names the id it is keyed by. Nothing is ever deleted
 * inside a transaction, which would fail as a whole on a row already gone.
 *
 * Operations: load 1 query (state + up to 13 hinted links) · findLinks 1 query per 14 ids · findLink 1 point
 * read · listLinks 1 query per 1000 rows · write 1 transaction per 99 links.
 */
export const STATE_ROW = 'state';

/** Azure Table Storage allows at most 15 comparisons in one $filter; one is the partition. */
export const MAX_KEYS_PER_QUERY = 14;

export interface SideState {
  cursor?: string;
  /** When (ms, worker clock) the last committed pull of this side began listing: hints before it are covered. */
  listedAt?: number;
  lastSyncedAt?: string;
  lastError?: string;
  /** For a polled side: when its poll chain last reported alive (docs/architecture.md, "Polls"). */
  polledAt?: number;
  /**
   * The first sync's progress (the status page's bar): the items the side's full listing returned, and how many of
   * them are settled (linked, copied or refused). Written with the writes a first sync makes anyway; kept once the
   * side holds a cursor, when the two are equal. Absent until a first sync's listing has ended.
   */
  firstSyncTotal?: number;
  firstSyncDone?: number;
}

export interface PairState {
  pairId: string;
  kind: Kind;
  leaseOwner?: string;
  leaseUntil?: number;
  sides: Record<Side, SideState>;
  intents: Intent[];
  /** Audit rows committed here on their way to the audit table (audit-outbox.ts); undefined when none. */
  audit?: AuditOutbox;
  /** Undefined until the row exists. */
  etag?: string;
}

/** The state row changed under a writer: another worker holds or took the lease. */
export class LeaseLostError extends ConcurrencyError {
  constructor(message: string) {
    super(message, 'lease-lost');
  }
}

type StateRow = {
  leaseOwner?: string;
  leaseUntil?: number;
  dingtalkCursor?: string;
  outlookCursor?: string;
  dingtalkListedAt?: number;
  outlookListedAt?: number;
  dingtalkSyncedAt?: string;
  outlookSyncedAt?: string;
  dingtalkError?: string;
  outlookError?: string;
  dingtalkPolledAt?: number;
  outlookPolledAt?: number;
  dingtalkFirstSyncTotal?: number;
  outlookFirstSyncTotal?: number;
  dingtalkFirstSyncDone?: number;
  outlookFirstSyncDone?: number;
  intents?: string;
  auditOutbox?: string;
};

type LinkRow = Omit<Link, 'kind' | 'etag' | 'origin' | 'undone'> & {
  kind: string;
  origin?: string;
  /** The undo mark (docs/undo.md), flattened: a table property holds no object. */
  undoneSide?: string;
  undoneId?: string;
  undoneAt?: string;
  undonePending?: boolean;
};

const SIDE_ID = { dingtalk: 'dingtalkId', outlook: 'outlookId' } as const;

/** A link to write, with the key rows of ids it no longer holds (they must stop naming it). */
export interface LinkWrite {
  link: Link;
  staleKeys?: string[];
}

export const linkRowKey = (side: Side, id: string): string => joinKey(side, id);

export function emptyState(pairId: string, kind: Kind): PairState {
  return { pairId, kind, sides: { dingtalk: {}, outlook: {} }, intents: [] };
}

export class PairStateStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.pairState,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  /**
   * The state row, plus the links of the items a hint named, in one query. Links come back keyed by
   * linkRowKey(side, id); a named item without a link maps to undefined, so the caller knows it was looked up.
   */
  async load(
    pairId: string,
    kind: Kind,
    hinted: Array<{ side: Side; id: string }> = [],
  ): Promise<{ state: PairState; links: Map<string, Link | undefined> }> {
    const table = await this.table();
    const partitionKey = partitionOf(pairId, kind);
    const first = hinted.slice(0, MAX_KEYS_PER_QUERY - 1);
    const links = new Map<string, Link | undefined>();
    let state = emptyState(pairId, kind);
    if (first.length === 0) {
      const row = await readRow<StateRow>(table, partitionKey, STATE_ROW);
      if (row) state = stateFromRow(pairId, kind, row, row.etag);
    } else {
      const keys = [STATE_ROW, ...first.map((h) => linkRowKey(h.side, h.id))];
      for (const key of keys.slice(1)) links.set(key, undefined);
      for await (const row of table.listEntities<StateRow & LinkRow>({
        queryOptions: { filter: keyFilter(partitionKey, keys) },
      })) {
        if (row.rowKey === STATE_ROW) state = stateFromRow(pairId, kind, row, row.etag);
        else links.set(row.rowKey!, linkFromRow(row, row.rowKey!));
      }
    }
    const rest = hinted.slice(first.length);
    for (const side of ['dingtalk', 'outlook'] as const) {
      const ids = rest.filter((h) => h.side === side).map((h) => h.id);
      for (const [key, link] of await this.findLinks(pairId, kind, side, ids)) links.set(key, link);
    }
    return { state, links };
  }

  /** Links of many ids of one side: one query per 14 ids. Missing ids map to undefined. */
  async findLinks(
    pairId: string,
    kind: Kind,
    side: Side,
    ids: string[],
  ): Promise<Map<string, Link | undefined>> {
    const out = new Map<string, Link | undefined>();
    const keys = [...new Set(ids.map((id) => linkRowKey(side, id)))];
    if (keys.length === 0) return out;
    const table = await this.table();
    const partitionKey = partitionOf(pairId, kind);
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_QUERY) {
      const chunk = keys.slice(i, i + MAX_KEYS_PER_QUERY);
      for (const key of chunk) out.set(key, undefined);
      for await (const row of table.listEntities<LinkRow>({
        queryOptions: { filter: keyFilter(partitionKey, chunk) },
      })) {
        out.set(row.rowKey!, linkFromRow(row, row.rowKey!));
      }
    }
    return out;
  }

  async findLink(pairId: string, kind: Kind, side: Side, id: string): Promise<Link | undefined> {
    const key = linkRowKey(side, id);
    const row = await readRow<LinkRow>(await this.table(), partitionOf(pairId, kind), key);
    return row && linkFromRow(row, key);
  }

  /** Every live link of one pair and kind (each appears once, though it has a row per side id). */
  async listLinks(pairId: string, kind: Kind): Promise<Link[]> {
    const table = await this.table();
    const byId = new Map<string, Link>();
    for await (const row of table.listEntities<LinkRow>({
      queryOptions: {
        filter: odata`PartitionKey eq ${partitionOf(pairId, kind)} and RowKey ne ${STATE_ROW}`,
      },
    })) {
      const link = linkFromRow(row, row.rowKey!);
      if (link) byId.set(link.linkId, link);
    }
    return [...byId.values()];
  }

  /**
   * Writes the state row (insert when it has no etag yet, else a merge conditioned on its etag) with up to 99
   * links per transaction; more links take more transactions, each again carrying the state row, so none lands
   * without the lease. Returns the state with its new etag. Throws LeaseLostError when the row changed.
   */
  async write(state: PairState, links: LinkWrite[] = []): Promise<PairState> {
    const table = await this.table();
    const partitionKey = partitionOf(state.pairId, state.kind);
    const rows = links.flatMap((write) => linkRows(partitionKey, write));
    let etag = state.etag;
    let offset = 0;
    do {
      const chunk = rows.slice(offset, offset + MAX_TRANSACTION_ACTIONS - 1);
      offset += chunk.length;
      const stateRow = entity(partitionKey, STATE_ROW, stateToRow(state));
      const actions: TransactionAction[] = [
        etag ? ['update', stateRow, 'Merge', { etag }] : ['create', stateRow],
        ...chunk.map((row): TransactionAction => ['upsert', row, 'Replace']),
      ];
      try {
        etag = etagOf(await table.submitTransaction(actions), 0);
      } catch (err) {
        const status = statusOf(err);
        if (status === 412 || status === 409) {
          throw new LeaseLostError(
            `pair ${state.pairId} ${state.kind}: the state row changed under this worker`,
          );
        }
        throw err;
      }
    } while (offset < rows.length);
    return { ...state, etag };
  }
}

const partitionOf = (pairId: string, kind: Kind): string => joinKey(pairId, kind);

function keyFilter(partitionKey: string, rowKeys: string[]): string {
  const keys = rowKeys.map((key) => odata`RowKey eq ${key}`).join(' or ');
  return `${odata`PartitionKey eq ${partitionKey}`} and (${keys})`;
}

function linkRows(partitionKey: string, { link, staleKeys }: LinkWrite) {
  const row: LinkRow = {
    linkId: link.linkId,
    kind: link.kind,
    dingtalkId: link.dingtalkId,
    outlookId: link.outlookId,
    dingtalkVersion: link.dingtalkVersion,
    outlookVersion: link.outlookVersion,
    projectionHash: link.projectionHash,
    tombstone: link.tombstone,
    origin: link.origin,
    copiedAt: link.copiedAt,
    undoneSide: link.undone?.side,
    undoneId: link.undone?.id,
    undoneAt: link.undone?.at,
    undonePending: link.undone?.pending,
  };
  const keys = new Set<string>();
  for (const side of ['dingtalk', 'outlook'] as const) {
    const id = link[SIDE_ID[side]];
    if (id) keys.add(linkRowKey(side, id));
  }
  // Rows of ids the link no longer holds are overwritten too, so they stop naming it (see the header).
  for (const key of staleKeys ?? []) keys.add(key);
  return [...keys].map((key) => entity(partitionKey, key, row));
}

/** A key row counts only while the link it holds still has the id the row is keyed by. */
function linkFromRow(row: LinkRow, rowKey: string): Link | undefined {
  const side = (['dingtalk', 'outlook'] as const).find((s) => rowKey.startsWith(`${s}|`));
  if (!side || !row.linkId) return undefined;
  const id = row[SIDE_ID[side]];
  if (!id || linkRowKey(side, id) !== rowKey) return undefined;
  return {
    linkId: row.linkId,
    kind: row.kind as Kind,
    dingtalkId: row.dingtalkId || undefined,
    outlookId: row.outlookId || undefined,
    dingtalkVersion: row.dingtalkVersion || undefined,
    outlookVersion: row.outlookVersion || undefined,
    projectionHash: row.projectionHash,
    tombstone: row.tombstone === true ? true : undefined,
    origin: isSide(row.origin) || row.origin === 'both' ? row.origin : undefined,
    copiedAt: row.copiedAt || undefined,
    undone: undoMarkOf(row),
  };
}

const isSide = (value: unknown): value is Side => value === 'dingtalk' || value === 'outlook';

function undoMarkOf(row: LinkRow): UndoMark | undefined {
  if (!isSide(row.undoneSide) || !row.undoneId) return undefined;
  return {
    side: row.undoneSide,
    id: row.undoneId,
    at: row.undoneAt ?? '',
    ...(row.undonePending === true ? { pending: true } : {}),
  };
}

function stateToRow(state: PairState): Record<string, string | number | undefined> {
  const row: StateRow = {
    leaseOwner: state.leaseOwner ?? '',
    leaseUntil: state.leaseUntil ?? 0,
    intents: JSON.stringify(state.intents),
    auditOutbox: state.audit && state.audit.records.length > 0 ? JSON.stringify(state.audit) : '',
  };
  for (const side of ['dingtalk', 'outlook'] as const) {
    const s = state.sides[side];
    row[`${side}Cursor`] = s.cursor ?? '';
    row[`${side}ListedAt`] = s.listedAt ?? 0;
    row[`${side}SyncedAt`] = s.lastSyncedAt ?? '';
    row[`${side}Error`] = s.lastError ?? '';
    row[`${side}PolledAt`] = s.polledAt ?? 0;
    // Written only once known: a merge without them keeps the stored figures, and 0 is a real figure.
    if (s.firstSyncTotal !== undefined) row[`${side}FirstSyncTotal`] = s.firstSyncTotal;
    if (s.firstSyncDone !== undefined) row[`${side}FirstSyncDone`] = s.firstSyncDone;
  }
  return row;
}

function stateFromRow(pairId: string, kind: Kind, row: StateRow, etag: string | undefined): PairState {
  const side = (name: Side): SideState => ({
    cursor: row[`${name}Cursor`] || undefined,
    listedAt: Number(row[`${name}ListedAt`]) || undefined,
    lastSyncedAt: row[`${name}SyncedAt`] || undefined,
    lastError: row[`${name}Error`] || undefined,
    polledAt: Number(row[`${name}PolledAt`]) || undefined,
    ...figure('firstSyncTotal', row[`${name}FirstSyncTotal`]),
    ...figure('firstSyncDone', row[`${name}FirstSyncDone`]),
  });
  return {
    pairId,
    kind,
    leaseOwner: row.leaseOwner || undefined,
    leaseUntil: Number(row.leaseUntil) || undefined,
    sides: { dingtalk: side('dingtalk'), outlook: side('outlook') },
    intents: row.intents ? (JSON.parse(row.intents) as Intent[]) : [],
    ...(row.auditOutbox ? { audit: JSON.parse(row.auditOutbox) as AuditOutbox } : {}),
    etag,
  };
}

/** A count read back from the row: absent unless a whole number was stored. */
function figure<K extends 'firstSyncTotal' | 'firstSyncDone'>(
  key: K,
  value: unknown,
): Partial<Record<K, number>> {
  const n = Number(value);
  return value !== undefined && value !== null && Number.isInteger(n) && n >= 0
    ? ({ [key]: n } as Partial<Record<K, number>>)
    : {};
}
