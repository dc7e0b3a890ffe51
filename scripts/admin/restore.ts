import { readBackup } from '../../shared/store/backup/backup-reader';
import { BackupFileError } from '../../shared/store/backup/format';
import { findNewerRows, type NewerRow } from '../../shared/store/backup/newer-rows';
import {
  backupMoment,
  beginRestore,
  endRestore,
  newerFilter,
  readRestoreMarker,
} from '../../shared/store/backup/restore-marker';
import { pauseAndServiceTime } from '../../shared/store/backup/state-export';
import { StateImporter } from '../../shared/store/backup/state-import';
import { countsText, type StateDeps, type StateIO } from './backup';
import type { BackupLocation } from './backup-args';
import { describeLocation, openSource } from './backup-target';

/**
 * `npm run admin -- restore`: a state backup written back (docs/runbook.md, "Back up and restore the sync state").
 *
 * The file is read twice: once to check all of it (nothing is written when any line, the counts or the checksum
 * is wrong), then to write. Before writing it refuses, unless forced, when the organisation is not paused (a pull
 * would write between the restored rows) or when a pair or pairstate row changed after the backup began.
 */

/** Newer rows named for the admin; one more found says there are more. */
const NEWER_SHOWN = 10;

export async function restoreState(
  deps: StateDeps,
  command: { source: BackupLocation; dryRun: boolean; force: boolean },
  io: StateIO,
): Promise<number> {
  const where = describeLocation(command.source);
  const source = await openSource(command.source, deps.blobs);
  const { header, footer } = await readBackup(source.lines());
  io.out(
    `${where}: a backup begun ${header.createdAt} by version ${header.productVersion}, whole (counts and ` +
      `sha256 match): ${countsText(footer.counts)}`,
  );

  const jobs = await deps.tables.storage.table(deps.tables.names.jobs);
  const refusals: string[] = [];
  const { paused } = await pauseAndServiceTime(jobs);
  if (!paused) {
    refusals.push(
      'sync is not paused for the whole organisation, so pulls could write between the restored rows: ' +
        'pause it first ("npm run admin -- pause")',
    );
  }
  const marker = await readRestoreMarker(jobs);
  if (command.force && !command.dryRun) {
    io.out('newer state not looked for (--force)');
  } else {
    const filter = newerFilter(backupMoment(header, footer), footer.sha256, marker);
    const newer = await findNewerRows(deps.tables, filter, NEWER_SHOWN);
    if (newer.length === 0) io.out('no pair or pairstate row changed after the backup began');
    else refusals.push(newerText(newer));
  }

  if (command.dryRun) {
    io.out(`dry run: nothing written. A restore would write ${countsText(footer.counts)}`);
    for (const reason of refusals) io.out(`it would refuse: ${reason}`);
    if (refusals.length === 0) io.out('it would go ahead');
    return 0;
  }
  if (refusals.length > 0 && !command.force) {
    for (const reason of refusals) io.err(`refused: ${reason}\n`);
    io.err('nothing was changed; --force restores all the same\n');
    return 2;
  }
  for (const reason of refusals) io.err(`going on despite this (--force): ${reason}\n`);

  if (!(await source.unchanged())) {
    throw new BackupFileError(`${where} changed since it was checked; nothing was written`);
  }
  await beginRestore(jobs, footer.sha256, marker, deps.now());
  const importer = new StateImporter(deps.tables, deps.now);
  try {
    await readBackup(source.lines(), (row) => importer.add(row));
    const report = await importer.finish();
    await endRestore(jobs, deps.now());
    io.out(`restored: ${countsText(report.written)}`);
    io.out(
      `${report.pairsMarked} active pair${report.pairsMarked === 1 ? '' : 's'} marked for the subscription ` +
        'upkeep, which checks their Graph subscriptions within minutes',
    );
  } catch (err) {
    io.err(
      'the restore stopped part-way; every write is an upsert, so run the same command again once the cause ' +
        'is fixed (it recognises the rows it wrote itself).\n',
    );
    // Rows were written: not the "nothing was changed" of a file found bad before the first write.
    throw err instanceof BackupFileError ? new Error(err.message) : err;
  }
  io.out(
    paused
      ? 'sync stays paused: look at the state, then "npm run admin -- resume" pulls every folder from the restored cursors'
      : 'sync was not paused (--force): the restored cursors are used from the next pull of each folder',
  );
  return 0;
}

function newerText(rows: NewerRow[]): string {
  const shown = rows.slice(0, NEWER_SHOWN);
  const more = rows.length > NEWER_SHOWN ? ' and more' : '';
  return (
    `${shown.length}${more} row${shown.length === 1 ? '' : 's'} changed after the backup began, so the restore ` +
    'would take them back in time:\n' +
    shown.map((r) => `  ${r.table}  ${r.partitionKey}  ${r.rowKey}  changed ${r.timestamp}`).join('\n')
  );
}
