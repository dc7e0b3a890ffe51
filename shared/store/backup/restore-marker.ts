import type { TableClient } from '@azure/data-tables';
import { odata } from '../../platform/odata';
import type { BackupFooter, BackupHeader } from './format';
import { readWithServiceTime } from './state-export';

/**
 * What the last restore was: which backup (its checksum), when it began and, once done, when it ended, by the
 * storage service's clock (jobs table, partition "restore", row "last"). It lets a restore run again over its
 * own writes: the rows a restore of the same backup wrote are not "newer state", the rows anyone else wrote are.
 *
 * Operations: read 1 · begin 1 · end 1.
 */

export interface RestoreMarker {
  backupSha256: string;
  /** Whole seconds, rounded down: every row the restore wrote has a later Timestamp. */
  startedAt: number;
  /** Whole seconds, rounded up; absent while the restore runs or after it stopped half-way. */
  finishedAt?: number;
}

const PARTITION = 'restore';
const ROW = 'last';

type MarkerRow = { backupSha256?: string; startedAt?: Date; finishedAt?: Date };

export async function readRestoreMarker(jobs: TableClient): Promise<RestoreMarker | undefined> {
  const { row } = await readWithServiceTime<MarkerRow>(jobs, PARTITION, ROW);
  if (!row?.backupSha256 || !row.startedAt) return undefined;
  const finishedAt = row.finishedAt ? new Date(row.finishedAt).getTime() : 0;
  return {
    backupSha256: row.backupSha256,
    startedAt: new Date(row.startedAt).getTime(),
    finishedAt: finishedAt > 0 ? finishedAt : undefined,
  };
}

/**
 * Records a restore beginning, at the service's time. A restore of the same backup after one that stopped
 * half-way keeps that one's start, since the rows it wrote are this restore's too.
 */
export async function beginRestore(
  jobs: TableClient,
  backupSha256: string,
  previous: RestoreMarker | undefined,
  fallbackNow: number,
): Promise<RestoreMarker> {
  const { time } = await readWithServiceTime(jobs, PARTITION, ROW);
  const now = Math.floor((time ?? fallbackNow) / 1000) * 1000;
  const resumed = previous?.backupSha256 === backupSha256 && previous.finishedAt === undefined;
  const marker = { backupSha256, startedAt: resumed ? previous.startedAt : now };
  await jobs.upsertEntity(
    {
      partitionKey: PARTITION,
      rowKey: ROW,
      backupSha256,
      startedAt: new Date(marker.startedAt),
      finishedAt: new Date(0),
    },
    'Replace',
  );
  return marker;
}

export async function endRestore(jobs: TableClient, fallbackNow: number): Promise<void> {
  const { time } = await readWithServiceTime(jobs, PARTITION, ROW);
  const finishedAt = Math.ceil((time ?? fallbackNow) / 1000) * 1000 + 1000;
  await jobs.upsertEntity(
    { partitionKey: PARTITION, rowKey: ROW, finishedAt: new Date(finishedAt) },
    'Merge',
  );
}

/**
 * The rows changed after the backup's moment (`since`, a service time as text, full precision) that no restore of
 * this backup wrote: before the last such restore began, or after it ended.
 */
export function newerFilter(since: string, backupSha256: string, marker: RestoreMarker | undefined): string {
  const after = `Timestamp gt datetime'${since}'`;
  if (marker?.backupSha256 !== backupSha256) return after;
  const between = `(${after} and ${odata`Timestamp lt ${new Date(marker.startedAt)}`})`;
  if (marker.finishedAt === undefined) return between;
  return `${between} or ${odata`Timestamp gt ${new Date(marker.finishedAt)}`}`;
}

/**
 * The backup's moment: when it began; when sync was paused meanwhile (nothing changed while it read), the newest
 * row it holds, which also spares the rows written in the second the backup began (the service's Date header has
 * whole seconds).
 */
export function backupMoment(header: BackupHeader, footer: BackupFooter): string {
  const newest = footer.newestRowAt;
  if (!header.paused || !newest || Date.parse(newest) < Date.parse(header.createdAt)) return header.createdAt;
  return newest;
}
