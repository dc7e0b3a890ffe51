import type { TableClient } from '@azure/data-tables';
import { odata } from '../platform/odata';
import type { Storage } from '../platform/storage';
import { entity } from './entity-size';
import { statusOf } from './errors';
import { readRow } from './table-ops';
import { TABLE_NAMES } from './table-names';

/**
 * jobs table: one row per maintenance job (partition "job", row = the job's name) holding its lease, the time it
 * last completed, a "requested" flag and the job's own progress note (e.g. how far the sweep has got).
 *
 * - The lease is taken with an ETag-conditional write, so of two overlapping timer runs only one runs a job.
 * - request() is one blind merge: a webhook can ask for a run without reading anything and without ever being
 *   blocked by a lease. Taking the lease clears the flag; a request that arrives while the job runs stays set, so
 *   the job runs again at the next timer run.
 * - Lease and flag writes never replace the row wholesale after the lease is taken (merges only), so a request
 *   is never overwritten.
 *
 * Times are DateTime properties; the 1970 time stands for "none" (a merge cannot remove a property).
 *
 * Operations: readAll 1 query · read 1 · acquire 1 · complete / release 1 (+2 per request that raced them) · request 1.
 */
export interface JobState {
  name: string;
  /** When the job last completed, ms; undefined before its first run. */
  lastRunAt?: number;
  requested: boolean;
  leaseOwner?: string;
  leaseUntil?: number;
  /** The job's own note of how far it got, kept between runs. */
  progress?: string;
  etag?: string;
}

type JobRow = {
  lastRunAt?: Date;
  requested?: boolean;
  leaseOwner?: string;
  leaseUntil?: Date;
  progress?: string;
};

const PARTITION = 'job';
const NONE = new Date(0);
/** A merge that loses to a request merge is tried again; requests are rare, so a few tries always suffice. */
const MAX_TRIES = 5;

export class TableJobStore {
  constructor(
    private readonly storage: Storage,
    private readonly tableName: string = TABLE_NAMES.jobs,
  ) {}

  private table(): Promise<TableClient> {
    return this.storage.table(this.tableName);
  }

  /** Every job's row, by name. */
  async readAll(): Promise<Map<string, JobState>> {
    const out = new Map<string, JobState>();
    const rows = (await this.table()).listEntities<JobRow>({
      queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
    });
    for await (const row of rows) out.set(row.rowKey!, fromRow(row.rowKey!, row, row.etag));
    return out;
  }

  async read(name: string): Promise<JobState | undefined> {
    const row = await readRow<JobRow>(await this.table(), PARTITION, name);
    return row && fromRow(name, row, row.etag);
  }

  /** Asks for a run of the job at the next timer run: one blind merge, never blocked by a lease. */
  async request(name: string): Promise<void> {
    await (await this.table()).upsertEntity(entity(PARTITION, name, { requested: true }), 'Merge');
  }

  /**
   * Takes the job's lease when it is free or expired, given the row as read (undefined: no row yet). Returns the
   * leased state, or undefined when someone else holds the lease or changed the row since it was read.
   */
  async acquire(
    name: string,
    read: JobState | undefined,
    owner: string,
    ttlMs: number,
    now: number,
  ): Promise<JobState | undefined> {
    if (read?.leaseOwner && (read.leaseUntil ?? 0) > now) return undefined;
    const leased: JobState = {
      name,
      lastRunAt: read?.lastRunAt,
      requested: false,
      leaseOwner: owner,
      leaseUntil: now + ttlMs,
      progress: read?.progress,
    };
    const table = await this.table();
    const row = entity(PARTITION, name, toRow(leased));
    try {
      const result = read?.etag
        ? await table.updateEntity(row, 'Replace', { etag: read.etag })
        : await table.createEntity(row);
      return { ...leased, etag: result.etag };
    } catch (err) {
      // 412/409: another run took it, or a request arrived after our read (the next timer run serves it).
      if (statusOf(err) === 412 || statusOf(err) === 409) return undefined;
      throw err;
    }
  }

  /** The job succeeded: records when, keeps its progress note and lets the lease go. */
  complete(state: JobState, now: number, progress?: string): Promise<void> {
    return this.mergeWhileOwner(state, {
      lastRunAt: new Date(now),
      progress: progress ?? state.progress ?? '',
      leaseOwner: '',
      leaseUntil: NONE,
    });
  }

  /** The job failed: lets the lease go without recording a run; `requestAgain` keeps a request for the next run. */
  release(state: JobState, requestAgain: boolean): Promise<void> {
    const fields: JobRow = { leaseOwner: '', leaseUntil: NONE };
    if (requestAgain) fields.requested = true;
    return this.mergeWhileOwner(state, fields);
  }

  /** Merges while the lease is still ours; a 412 means a request merge came in, so re-read and merge again. */
  private async mergeWhileOwner(state: JobState, fields: JobRow): Promise<void> {
    const table = await this.table();
    let etag = state.etag;
    for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
      try {
        await table.updateEntity(entity(PARTITION, state.name, fields), 'Merge', { etag: etag ?? '*' });
        return;
      } catch (err) {
        if (statusOf(err) !== 412) throw err;
      }
      const fresh = await readRow<JobRow>(table, PARTITION, state.name);
      if (!fresh || fresh.leaseOwner !== state.leaseOwner) return;
      etag = fresh.etag;
    }
    throw new Error(`job row ${state.name} kept changing; its lease is left to expire`);
  }
}

function toRow(state: JobState): JobRow {
  return {
    lastRunAt: state.lastRunAt === undefined ? NONE : new Date(state.lastRunAt),
    requested: state.requested,
    leaseOwner: state.leaseOwner ?? '',
    leaseUntil: state.leaseUntil === undefined ? NONE : new Date(state.leaseUntil),
    progress: state.progress ?? '',
  };
}

function fromRow(name: string, row: JobRow, etag: string | undefined): JobState {
  const time = (d: Date | undefined) => (d && d.getTime() > 0 ? d.getTime() : undefined);
  return {
    name,
    lastRunAt: time(row.lastRunAt),
    requested: row.requested === true,
    leaseOwner: row.leaseOwner || undefined,
    leaseUntil: time(row.leaseUntil),
    progress: row.progress || undefined,
    etag,
  };
}
