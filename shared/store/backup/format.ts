import { z } from 'zod';
import { assertEntityFits, type PropertyValue, type WritableEntity } from '../entity-size';
import { assertValidKey } from '../table-keys';
import { TABLE_NAMES, type TableRole } from '../table-names';

/**
 * The state backup's file format (docs/runbook.md, "Back up and restore the sync state"): JSON Lines, one header
 * line, one line per table row, one footer line. Streamed both ways, so 10,000 users' state never sits in memory;
 * the footer comes last because only then are the counts and the checksum known, and a file without it is cut
 * short.
 *
 * A row keeps every property with its Edm type, so a restore writes back exactly what was read: a string property
 * is a JSON string, any other is `[type, value as text]` (Int64 and DateTime keep their full precision that way).
 */

export const BACKUP_FORMAT = 'dingtalk-m365-sync/state-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** How a restore writes a section's rows. */
export type RestoreMode =
  /** Each row as it was (insert or replace); rows the backup does not have are left alone. */
  | 'replace'
  /** Raised to the backup's count, never lowered: the quota counter must not forget calls already made. */
  | 'raise'
  /** The pause switch: its kinds and users as backed up, the organisation-wide switch as it is now. */
  | 'pause';

export interface BackupSection {
  /** The table's name without a prefix: the file's name for it. */
  table: string;
  role: TableRole;
  /** Only this partition of the table; the whole table when absent. */
  partition?: string;
  restore: RestoreMode;
}

/**
 * What a backup holds, in the order a restore writes it: users first (index rows sort before pair rows, as the
 * pairing job writes them), so the pairs exist before their state. Left out: the audit (its own export), failures
 * (a failing folder fails again and is recorded again), the maintenance jobs' leases and progress (they rebuild
 * themselves), and every Graph subscription row but the pending pairs: a subscription is an object at Graph, and
 * a restored record could name one Graph has since removed, or one that notifies another deployment; a restore
 * marks the restored pairs pending instead, so the upkeep checks each against Graph's subscriptions.
 */
export const BACKUP_SECTIONS: readonly BackupSection[] = [
  { table: TABLE_NAMES.users, role: 'users', restore: 'replace' },
  { table: TABLE_NAMES.pairState, role: 'pairState', restore: 'replace' },
  { table: TABLE_NAMES.mailCredentials, role: 'mailCredentials', restore: 'replace' },
  { table: TABLE_NAMES.colleagues, role: 'colleagues', restore: 'replace' },
  { table: TABLE_NAMES.subscriptions, role: 'subscriptions', partition: 'pending|pairs', restore: 'replace' },
  { table: TABLE_NAMES.quota, role: 'quota', restore: 'raise' },
  { table: TABLE_NAMES.jobs, role: 'jobs', partition: 'control', restore: 'pause' },
];

const SECTION_BY_TABLE = new Map(BACKUP_SECTIONS.map((s) => [s.table, s]));
export const sectionOf = (table: string): BackupSection | undefined => SECTION_BY_TABLE.get(table);

export type BackupCounts = Record<string, number>;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  productVersion: string;
  /** When reading began, by the storage service's clock (the Date of its first answer), whole seconds. */
  createdAt: string;
  /** The organisation-wide pause was on when reading began (then nothing changed while it read). */
  paused: boolean;
  tables: string[];
}

export interface BackupFooter {
  end: true;
  completedAt: string;
  /** The latest Timestamp (the service's last-write time) among the rows, as the service wrote it. */
  newestRowAt?: string;
  counts: BackupCounts;
  /** SHA-256, hex, of every line before the footer (header included), each with its newline, as UTF-8. */
  sha256: string;
}

/**
 * The Edm types, and `Number`: a number the service sent without a type (it never names Int32, nor a Double that
 * the app wrote as a plain number). It is written back the same way, so the service types it as it did the
 * app's own write; the SDK's guess from the value (Int32 for any whole number) would refuse a millisecond time.
 */
const EDM_TYPES = ['Boolean', 'DateTime', 'Double', 'Guid', 'Int32', 'Int64', 'Binary', 'Number'] as const;
type EdmType = (typeof EDM_TYPES)[number];
export type StoredValue = string | [EdmType, string];

export interface BackupRow {
  t: string;
  pk: string;
  rk: string;
  p: Record<string, StoredValue>;
}

/** What the Tables SDK returns with `disableTypeConversion`: every value with its Edm type. */
export type TypedValue = { value: unknown; type: string };

const SYSTEM_PROPERTIES = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp']);

/** A row as read with `disableTypeConversion`, in the file's form. */
export function rowOf(table: string, entity: Record<string, unknown>): BackupRow {
  const p: Record<string, StoredValue> = {};
  for (const [name, raw] of Object.entries(entity)) {
    if (SYSTEM_PROPERTIES.has(name) || name.startsWith('odata.')) continue;
    const { value, type } = raw as TypedValue;
    // With disableTypeConversion the SDK gives a typed number as the service sent it, and a guessed one as text.
    const untyped = (type === 'Int32' || type === 'Double') && typeof value === 'string';
    p[name] = type === 'String' ? String(value) : [untyped ? 'Number' : (type as EdmType), String(value)];
  }
  return { t: table, pk: String(entity.partitionKey), rk: String(entity.rowKey), p };
}

/** A Timestamp as the service writes it: up to 7 decimals, UTC. */
const SERVICE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

const headerSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.number().int().positive(),
  productVersion: z.string(),
  createdAt: z.iso.datetime(),
  paused: z.boolean(),
  tables: z.array(z.string()),
});

const footerSchema = z.object({
  end: z.literal(true),
  completedAt: z.iso.datetime(),
  newestRowAt: z.string().regex(SERVICE_TIME).optional(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const rowSchema = z.object({
  t: z.string(),
  pk: z.string(),
  rk: z.string(),
  p: z.record(z.string(), z.union([z.string(), z.tuple([z.enum(EDM_TYPES), z.string()])])),
});

export class BackupFileError extends Error {}

export function parseHeader(line: string): BackupHeader {
  const parsed = headerSchema.safeParse(jsonOf(line));
  if (!parsed.success) {
    throw new BackupFileError('the first line is not the header of a state backup of this product');
  }
  if (parsed.data.formatVersion > BACKUP_FORMAT_VERSION) {
    throw new BackupFileError(
      `the backup is in format ${parsed.data.formatVersion}, made by product version ` +
        `${parsed.data.productVersion}; this version reads format ${BACKUP_FORMAT_VERSION}: restore with that version or later`,
    );
  }
  return parsed.data as BackupHeader;
}

/** A footer, or undefined when the line is a row. */
export function parseFooter(line: string): BackupFooter | undefined {
  const json = jsonOf(line);
  if (typeof json !== 'object' || json === null || !('end' in json)) return undefined;
  const parsed = footerSchema.safeParse(json);
  if (!parsed.success) throw new BackupFileError('the last line is not a valid footer');
  return parsed.data as BackupFooter;
}

/** A row's line checked the way a write would check it, so a restore fails here rather than half-way. */
export function parseRow(line: string): { row: BackupRow; section: BackupSection; entity: WritableEntity } {
  const parsed = rowSchema.safeParse(jsonOf(line));
  if (!parsed.success) throw new BackupFileError('not a table row');
  const row = parsed.data as BackupRow;
  const section = sectionOf(row.t);
  if (!section) throw new BackupFileError(`a row of the table "${row.t}", which a backup does not hold`);
  if (section.partition !== undefined && row.pk !== section.partition) {
    throw new BackupFileError(`a ${row.t} row outside the partition "${section.partition}"`);
  }
  try {
    assertValidKey(row.pk, 'PartitionKey');
    assertValidKey(row.rk, 'RowKey');
    const entity: WritableEntity = { partitionKey: row.pk, rowKey: row.rk };
    for (const [name, stored] of Object.entries(row.p)) entity[name] = writableValue(name, stored);
    assertEntityFits(entity);
    return { row, section, entity };
  } catch (err) {
    throw new BackupFileError((err as Error).message);
  }
}

/** The value as the Tables SDK writes it with the same Edm type it was read with. */
function writableValue(name: string, stored: StoredValue): PropertyValue {
  if (typeof stored === 'string') return stored;
  const [type, text] = stored;
  const bad = () => new Error(`property "${name}": ${JSON.stringify(text)} is not a valid ${type}`);
  switch (type) {
    case 'Boolean':
      if (text !== 'true' && text !== 'false') throw bad();
      return text === 'true';
    case 'Int32': {
      const n = Number(text);
      if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw bad();
      // A whole number without a type annotation is stored as Int32.
      return n;
    }
    case 'Number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw bad();
      return n;
    }
    case 'Double': {
      const n = Number(text);
      if (Number.isNaN(n) && text !== 'NaN') throw bad();
      // Annotated, so a whole number stays a Double; NaN and the infinities go as the service's text for them.
      return { value: Number.isFinite(n) ? (n as unknown as string) : text, type };
    }
    case 'Int64':
      if (!/^-?\d{1,19}$/.test(text)) throw bad();
      return { value: text, type };
    case 'DateTime':
      if (Number.isNaN(Date.parse(text))) throw bad();
      return { value: text, type };
    case 'Guid':
      if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(text))
        throw bad();
      return { value: text, type };
    case 'Binary':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw bad();
      return { value: text, type };
  }
}

function jsonOf(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new BackupFileError('not JSON');
  }
}
