import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { AuditAction, AuditEntry, Kind, Side } from '../sync/types';
import { addDays, assertDay } from './day';

/**
 * Reading the audit by day range and filters, for the admin's export (`npm run admin -- audit`) and the status
 * page: one query per day partition (the service pages it by 1,000 rows), never a scan of the table, with the
 * filters inside the query so only matching rows travel. Days are read newest first and each day's rows come newest
 * first, as the table keeps them, so the rows come out newest first without being held.
 */
export interface AuditFilter {
  /** First and last UTC day, inclusive (yyyyMMdd). */
  fromDay: string;
  toDay: string;
  pairId?: string;
  kind?: Kind;
  side?: Side;
  action?: AuditAction;
}

/** The columns of an export, in their order (CSV and JSON alike). */
export const AUDIT_COLUMNS = [
  'at',
  'pairId',
  'kind',
  'side',
  'action',
  'dingtalkId',
  'outlookId',
  'reason',
  'detail',
] as const satisfies ReadonlyArray<keyof AuditEntry>;

/** The properties read back: the columns, and the lag a write row may hold (docs/state.md). */
const AUDIT_SELECT = [...AUDIT_COLUMNS, 'lagMs'] as const;

type AuditRow = { [K in (typeof AUDIT_SELECT)[number]]?: K extends 'lagMs' ? number : string };

export async function* auditRows(table: TableClient, filter: AuditFilter): AsyncGenerator<AuditEntry> {
  assertDay(filter.fromDay);
  assertDay(filter.toDay);
  for (let day = filter.toDay; day >= filter.fromDay; day = addDays(day, -1)) {
    const entities = table.listEntities<AuditRow>({
      queryOptions: { filter: auditFilterOf(day, filter), select: [...AUDIT_SELECT] },
    });
    for await (const row of entities) yield auditEntryOf(row);
  }
}

function auditFilterOf(day: string, filter: Omit<AuditFilter, 'fromDay' | 'toDay'>): string {
  const parts = [odata`PartitionKey eq ${day}`];
  if (filter.pairId !== undefined) parts.push(odata`pairId eq ${filter.pairId}`);
  if (filter.kind) parts.push(odata`kind eq ${filter.kind}`);
  if (filter.side) parts.push(odata`side eq ${filter.side}`);
  if (filter.action) parts.push(odata`action eq ${filter.action}`);
  return parts.join(' and ');
}

function auditEntryOf(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    at: row.at ?? '',
    pairId: row.pairId ?? '',
    kind: row.kind as Kind,
    action: row.action as AuditAction,
    reason: row.reason ?? '',
  };
  if (row.side) entry.side = row.side as Side;
  if (row.dingtalkId) entry.dingtalkId = row.dingtalkId;
  if (row.outlookId) entry.outlookId = row.outlookId;
  if (row.detail) entry.detail = row.detail;
  if (typeof row.lagMs === 'number') entry.lagMs = row.lagMs;
  return entry;
}
