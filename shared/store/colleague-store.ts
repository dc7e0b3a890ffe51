import type { TableClient, TransactionAction } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import { forEachBounded } from './bounded';
import { entity } from './entity-size';
import { statusOf } from './errors';
import { readRow } from './table-ops';
import { decodeKeyPart, joinKey } from './table-keys';
import { TABLE_NAMES } from './table-names';
import { submitGrouped } from './user-repository';

/**
 * colleagues table: what the optional colleagues folder (docs/contacts-colleagues.md) keeps between runs.
 *
 * - "user" partition, one row per active DingTalk member (row = userid): the colleague as their card shows them
 *   and the departments they are in. The daily directory read is compared with it, so only what changed is written.
 * - "member|<deptId>" partitions: the same row once per department, so one person's colleagues are read with one
 *   query per department they are in, never by reading every member.
 * - "dept" partition: department names by id; the root department (1) carries the organisation's name.
 * - "pending" partition, rows "<minute>|<userid>": mailboxes whose folder must be brought up to date (their
 *   departments changed, or a run stopped at the mailbox's write budget). Oldest first; a new mark never replaces
 *   one being served.
 * - "changed" partition, row = userid: directory callbacks not yet read (written by ingress, one blind upsert).
 *
 * Operations: membersOf 1 query per 1,000 members · readUser 1 · snapshot 1 query per 1,000 members (daily) ·
 * apply 1 transaction per 100 rows of a partition · pending / directoryChanges 1 query · marks 1 transaction per
 * 100 · clearing 1 delete per mark.
 */

export interface ColleagueRecord {
  userid: string;
  name: string;
  title: string;
  /** Lower-cased; the enterprise address when the person has one. */
  email: string;
  /** "+<country code> <number>", or '' (none, or hidden from colleagues). */
  mobile: string;
  /** The names of the person's departments, as their card shows them. */
  department: string;
  deptIds: number[];
}

/** A row of the "pending" or "changed" partition as read, for deleting exactly what was served. */
export interface ColleagueMark {
  userid: string;
  rowKey: string;
  etag?: string;
}

/** One member's change: absent `before` is a newcomer, absent `after` someone who left. */
export interface ColleagueChange {
  before?: ColleagueRecord;
  after?: ColleagueRecord;
}

type RecordRow = {
  userid: string;
  name: string;
  title: string;
  email: string;
  mobile: string;
  department: string;
  deptIds: string;
};

const USER = 'user';
const DEPT = 'dept';
const PENDING = 'pending';
const CHANGED = 'changed';
const WRITE_CONCURRENCY = 16;
const memberPartition = (deptId: number) => joinKey('member', String(deptId));
/** Minutes since 1970 fit 10 digits until the year 20995: keys sort by time. */
const minuteText = (minute: number) => String(Math.max(0, Math.floor(minute))).padStart(10, '0');

export class ColleagueStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.colleagues,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  /** Every member as last read: for the daily directory read only (one query page per 1,000 members). */
  async snapshot(): Promise<Map<string, ColleagueRecord>> {
    const out = new Map<string, ColleagueRecord>();
    for (const r of await this.query(odata`PartitionKey eq ${USER}`)) out.set(r.userid, r);
    return out;
  }

  async readUser(userid: string): Promise<ColleagueRecord | undefined> {
    const row = await readRow<RecordRow>(await this.table(), USER, joinKey(userid));
    return row && fromRow(row);
  }

  /** The direct members of one department: one query per 1,000 of them. */
  membersOf(deptId: number): Promise<ColleagueRecord[]> {
    return this.query(odata`PartitionKey eq ${memberPartition(deptId)}`);
  }

  /** Department names by id (the root, 1, is the organisation). */
  async departments(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const rows = (await this.table()).listEntities<{ name: string }>({
      queryOptions: { filter: odata`PartitionKey eq ${DEPT}` },
    });
    for await (const row of rows) out.set(Number(row.rowKey), row.name);
    return out;
  }

  /** Writes the department names that differ from `known` and deletes the departments that are gone. */
  async saveDepartments(names: Map<number, string>, known: Map<number, string>): Promise<void> {
    const actions: TransactionAction[] = [];
    for (const [id, name] of names)
      if (known.get(id) !== name) actions.push(['upsert', entity(DEPT, String(id), { name }), 'Replace']);
    for (const id of known.keys())
      if (!names.has(id)) actions.push(['delete', { partitionKey: DEPT, rowKey: String(id) }]);
    await this.submit(actions);
  }

  /** Each change's user row and member rows: rows of departments the member left are deleted. */
  async apply(changes: ColleagueChange[]): Promise<void> {
    const actions: TransactionAction[] = [];
    for (const { before, after } of changes) {
      const userid = (after ?? before)!.userid;
      const kept = new Set(after?.deptIds ?? []);
      if (after) {
        const row = toRow(after);
        actions.push(['upsert', entity(USER, joinKey(userid), row), 'Replace']);
        for (const dept of kept)
          actions.push(['upsert', entity(memberPartition(dept), joinKey(userid), row), 'Replace']);
      } else {
        actions.push(['delete', { partitionKey: USER, rowKey: joinKey(userid) }]);
      }
      for (const dept of before?.deptIds ?? [])
        if (!kept.has(dept))
          actions.push(['delete', { partitionKey: memberPartition(dept), rowKey: joinKey(userid) }]);
    }
    await this.submit(actions);
  }

  /** Marks mailboxes (by DingTalk userid) for an update; the marks of one call share the minute given. */
  async markPending(userids: Iterable<string>, minute: number): Promise<number> {
    const unique = [...new Set(userids)];
    await this.submit(
      unique.map((u) => [
        'upsert',
        entity(PENDING, `${minuteText(minute)}|${joinKey(u)}`, { userid: u }),
        'Replace',
      ]),
    );
    return unique.length;
  }

  /** The oldest marks, at most `limit`: one query. */
  pending(limit: number): Promise<ColleagueMark[]> {
    return this.marks(PENDING, limit);
  }

  /** What directory callbacks named since the last run (one blind upsert per person, from ingress). */
  async noteDirectoryChanges(userids: string[]): Promise<void> {
    const unique = [...new Set(userids)].filter(Boolean);
    await this.submit(unique.map((u) => ['upsert', entity(CHANGED, joinKey(u), { userid: u }), 'Replace']));
  }

  directoryChanges(limit: number): Promise<ColleagueMark[]> {
    return this.marks(CHANGED, limit);
  }

  /**
   * Deletes marks as they were read. A mark written again since (a newer callback for the same person) has another
   * etag and stays, so it is served once more.
   */
  async clear(marks: ColleagueMark[], which: 'pending' | 'changed'): Promise<void> {
    const table = await this.table();
    const partition = which === 'pending' ? PENDING : CHANGED;
    await forEachBounded(marks, WRITE_CONCURRENCY, async (m) => {
      try {
        await table.deleteEntity(partition, m.rowKey, { etag: m.etag ?? '*' });
      } catch (err) {
        if (statusOf(err) !== 404 && statusOf(err) !== 412) throw err;
      }
    });
  }

  private async marks(partition: string, limit: number): Promise<ColleagueMark[]> {
    const out: ColleagueMark[] = [];
    const pages = (await this.table())
      .listEntities<{ userid: string }>({ queryOptions: { filter: odata`PartitionKey eq ${partition}` } })
      .byPage({ maxPageSize: Math.max(1, Math.min(limit, 1000)) });
    for await (const page of pages) {
      for (const row of page) {
        out.push({ userid: row.userid ?? decodeKeyPart(row.rowKey!), rowKey: row.rowKey!, etag: row.etag });
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  private async query(filter: string): Promise<ColleagueRecord[]> {
    const out: ColleagueRecord[] = [];
    const rows = (await this.table()).listEntities<RecordRow>({ queryOptions: { filter } });
    for await (const row of rows) out.push(fromRow(row));
    return out;
  }

  /** Transactions of up to 100 actions per partition, several in flight (user-repository.ts). */
  private async submit(actions: TransactionAction[]): Promise<void> {
    if (actions.length === 0) return;
    const table = await this.table();
    try {
      await submitGrouped(table, actions);
    } catch (err) {
      // A delete of a row already gone (a run that died half way) fails its whole transaction: apply one by one.
      if (statusOf(err) !== 404) throw err;
      for (const action of actions) await submitOne(table, action);
    }
  }
}

async function submitOne(table: TableClient, action: TransactionAction): Promise<void> {
  try {
    await table.submitTransaction([action]);
  } catch (err) {
    if (!(action[0] === 'delete' && statusOf(err) === 404)) throw err;
  }
}

function toRow(r: ColleagueRecord): RecordRow {
  return {
    userid: r.userid,
    name: r.name,
    title: r.title,
    email: r.email,
    mobile: r.mobile,
    department: r.department,
    deptIds: JSON.stringify(r.deptIds),
  };
}

function fromRow(row: RecordRow): ColleagueRecord {
  return {
    userid: row.userid,
    name: row.name ?? '',
    title: row.title ?? '',
    email: row.email ?? '',
    mobile: row.mobile ?? '',
    department: row.department ?? '',
    deptIds: JSON.parse(row.deptIds || '[]') as number[],
  };
}
