import type { TableClient } from '@azure/data-tables';
import { createHash } from 'node:crypto';
import { odata } from '../../platform/odata';
import type { Storage } from '../../platform/storage';
import { statusOf } from '../errors';
import type { TableNames } from '../table-names';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  BACKUP_SECTIONS,
  rowOf,
  type BackupCounts,
  type BackupFooter,
  type BackupHeader,
} from './format';

/**
 * Writes the sync state as a backup (format.ts): each section's rows as the service returns them, one query per
 * table (whole-table sections) or per partition, read in pages of up to 1,000 rows and written out page by page.
 *
 * Operations: 1 read (the pause switch, whose answer also gives the service's time) + 1 query page per 1,000 rows.
 */

export interface StateTables {
  storage: Storage;
  names: TableNames;
}

/** Text gathered before one write: few writes, never much more than a page held. */
const FLUSH_AT = 256 * 1024;

export async function exportState(
  tables: StateTables,
  out: { write(text: string): Promise<void> },
  info: { productVersion: string; now: () => number },
): Promise<{ header: BackupHeader; footer: BackupFooter }> {
  const start = await pauseAndServiceTime(await tables.storage.table(tables.names.jobs));
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    productVersion: info.productVersion,
    createdAt: new Date(start.time ?? Math.floor(info.now() / 1000) * 1000).toISOString(),
    paused: start.paused,
    tables: BACKUP_SECTIONS.map((s) => s.table),
  };
  const hash = createHash('sha256');
  const counts: BackupCounts = {};
  let newestRowAt = '';
  let pending = '';
  const add = async (line: string) => {
    const text = `${line}\n`;
    hash.update(text);
    pending += text;
    if (pending.length >= FLUSH_AT) {
      await out.write(pending);
      pending = '';
    }
  };
  await add(JSON.stringify(header));
  for (const section of BACKUP_SECTIONS) {
    counts[section.table] = 0;
    const table = await tables.storage.table(tables.names[section.role]);
    const filter = section.partition === undefined ? undefined : odata`PartitionKey eq ${section.partition}`;
    const rows = table.listEntities<Record<string, unknown>>({
      disableTypeConversion: true,
      queryOptions: filter ? { filter } : {},
    });
    for await (const entity of rows) {
      // One service writes every Timestamp in one format, so the text sorts as the time does.
      const written = String((entity.timestamp as { value?: unknown } | undefined)?.value ?? '');
      if (written > newestRowAt) newestRowAt = written;
      await add(JSON.stringify(rowOf(section.table, entity)));
      counts[section.table]++;
    }
  }
  const footer: BackupFooter = {
    end: true,
    completedAt: new Date(info.now()).toISOString(),
    ...(newestRowAt ? { newestRowAt } : {}),
    counts,
    sha256: hash.digest('hex'),
  };
  await out.write(`${pending}${JSON.stringify(footer)}\n`);
  return { header, footer };
}

/**
 * Whether the organisation-wide pause is on, and the storage service's time (its answer's Date header, whole
 * seconds, rounded down), so that "changed after the backup began" compares the service's Timestamps with the
 * service's own clock, not with the admin's machine.
 */
export async function pauseAndServiceTime(jobs: TableClient): Promise<{ paused: boolean; time?: number }> {
  const { row, time } = await readWithServiceTime<{ paused?: boolean }>(jobs, 'control', 'pause');
  return { paused: row?.paused === true, time };
}

/** One point read (a missing row is undefined) and the service's time when it answered. */
export async function readWithServiceTime<T extends object>(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<{ row?: T & { etag: string }; time?: number }> {
  let date: string | undefined;
  try {
    const row = await table.getEntity<T>(partitionKey, rowKey, {
      onResponse: (response) => (date = response.headers.get('date') ?? undefined),
    });
    return { row, time: timeOf(date) };
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
    const headers = (err as { response?: { headers?: { get(name: string): string | undefined } } }).response
      ?.headers;
    return { time: timeOf(headers?.get('date')) };
  }
}

function timeOf(date: string | undefined): number | undefined {
  const ms = date ? Date.parse(date) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
