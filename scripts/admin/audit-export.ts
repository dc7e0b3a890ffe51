import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Storage } from '../../shared/platform/storage';
import { auditRows } from '../../shared/store/audit-search';
import type { UserPair } from '../../shared/store/types';
import { UsageError } from './args';
import { isoOf, type AuditQuery } from './audit-args';
import { auditEncoder } from '../../shared/app/audit-format';
import { findPairByIdOrAddress } from '../../shared/store/find-pair';

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
    const filter = {
      fromDay: query.fromDay,
      toDay: query.toDay,
      pairId,
      kind: query.syncKind,
      side: query.side,
      action: query.action,
    };
    for await (const entry of auditRows(table, filter)) {
      pending += encoder.row(entry, rows++);
      if (pending.length >= FLUSH_AT) {
        await sink.write(pending);
        pending = '';
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

/**
 * An address is looked up as the pause command does (one walk of the users); anything else is taken as a pair id
 * as it stands, since the audit keeps a year of rows for users who may have been unpaired since.
 */
async function pairIdOf(users: AuditSource['users'], user: string): Promise<string> {
  if (!user.includes('@')) return user;
  const pair = await findPairByIdOrAddress(users, user);
  if (!pair) {
    throw new UsageError(
      `no paired user ${JSON.stringify(user)}; for a user since unpaired, give the pair id`,
    );
  }
  return pair.pairId;
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
