import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { odata } from '../../shared/platform/odata';
import type { Storage } from '../../shared/platform/storage';
import { addDays } from '../../shared/store/day';
import type { UserPair } from '../../shared/store/types';
import type { AuditAction, AuditEntry, Kind, Side } from '../../shared/sync/types';
import { UsageError } from './args';
import { isoOf, type AuditQuery } from './audit-args';
import { AUDIT_COLUMNS, auditEncoder } from './audit-format';

/**
 * `npm run admin -- audit`: the audit table's rows of a range of days, filtered, as JSON, JSON Lines or CSV.
 *
 * One query per day partition (the service pages it by 1,000 rows), never a scan of the table; the filters go into
 * the query so only matching rows travel. Days are read newest first and each day's rows come newest first, as
 * the table keeps them, so the whole export is newest first without holding anything: each page is written out
 * before the next is asked for.
 */

export interface AuditSource {
  storage: Storage;
  /** The audit table's name (a prefix in tests). */
  tableName: string;
  users: {
    get(pairId: string): Promise<UserPair | undefined>;
    list(): Promise<UserPair[]>;
  };
}

export interface AuditOutput {
  /** Raw text to standard output; resolves once it may be given more. */
  write(text: string): Promise<void> | void;
  /** Notes for the admin (standard error). */
  err(text: string): void;
}

/** Text gathered before one write: big enough that writes are few, small enough to hold no more than a page. */
const FLUSH_AT = 64 * 1024;

type AuditRow = { [K in (typeof AUDIT_COLUMNS)[number]]?: string };

export async function exportAudit(source: AuditSource, query: AuditQuery, io: AuditOutput): Promise<number> {
  const pairId = query.user ? await pairIdOf(source.users, query.user) : undefined;
  const sink = query.out
    ? await fileSink(query.out)
    : { write: (text: string) => io.write(text), close: noop };
  const encoder = auditEncoder(query.format, { bom: query.bom });
  let rows = 0;
  let pending = encoder.head;
  let finished = false;
  try {
    const table = await source.storage.table(source.tableName);
    for (let day = query.toDay; day >= query.fromDay; day = addDays(day, -1)) {
      const entities = table.listEntities<AuditRow>({
        queryOptions: { filter: filterOf(day, pairId, query), select: [...AUDIT_COLUMNS] },
      });
      for await (const row of entities) {
        pending += encoder.row(entryOf(row), rows++);
        if (pending.length >= FLUSH_AT) {
          await sink.write(pending);
          pending = '';
        }
      }
    }
    await sink.write(pending + encoder.tail);
    finished = true;
  } finally {
    // After a failure, the failure is what the admin needs to see, not a complaint about closing the file.
    await sink.close().catch((err: unknown) => {
      if (finished) throw err;
    });
  }
  const where = query.out ? ` to ${query.out}` : '';
  io.err(
    `${rows} audit row${rows === 1 ? '' : 's'} from ${isoOf(query.fromDay)} to ${isoOf(query.toDay)} (UTC)${where}\n`,
  );
  return rows;
}

function filterOf(day: string, pairId: string | undefined, query: AuditQuery): string {
  const parts = [odata`PartitionKey eq ${day}`];
  if (pairId !== undefined) parts.push(odata`pairId eq ${pairId}`);
  if (query.syncKind) parts.push(odata`kind eq ${query.syncKind}`);
  if (query.side) parts.push(odata`side eq ${query.side}`);
  if (query.action) parts.push(odata`action eq ${query.action}`);
  return parts.join(' and ');
}

/**
 * An address is looked up as the pause command does (one walk of the users); anything else is taken as a pair id
 * as it stands, since the audit keeps a year of rows for users who may have been unpaired since.
 */
async function pairIdOf(users: AuditSource['users'], user: string): Promise<string> {
  if (!user.includes('@')) return user;
  const address = user.toLowerCase();
  const pair = (await users.list()).find(
    (p) => p.email.toLowerCase() === address || p.userPrincipalName.toLowerCase() === address,
  );
  if (!pair) {
    throw new UsageError(
      `no paired user ${JSON.stringify(user)}; for a user since unpaired, give the pair id`,
    );
  }
  return pair.pairId;
}

function entryOf(row: AuditRow): AuditEntry {
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
  return entry;
}

const noop = async () => {};

/**
 * Export text through a line writer that adds its own newline: each call gets the complete lines so far. Every
 * format ends with a newline, so nothing is left over at the end.
 */
export function throughLines(out: (line: string) => void): (text: string) => void {
  let rest = '';
  return (text) => {
    const all = rest + text;
    const cut = all.lastIndexOf('\n');
    if (cut < 0) {
      rest = all;
      return;
    }
    out(all.slice(0, cut));
    rest = all.slice(cut + 1);
  };
}

/** The file is created before anything is read, so a wrong path is reported at once and costs no query. */
async function fileSink(
  path: string,
): Promise<{ write(text: string): Promise<void>; close(): Promise<void> }> {
  let handle;
  try {
    handle = await open(path, 'w');
  } catch (err) {
    throw new UsageError(`cannot write ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  const stream = createWriteStream('', { fd: handle });
  let failed: Error | undefined;
  stream.on('error', (err) => (failed = err));
  return {
    async write(text) {
      if (failed) throw failed;
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async close() {
      stream.end();
      if (!stream.closed && !failed) await once(stream, 'close');
      if (failed) throw failed;
    },
  };
}
