import type { BlobServiceClient } from '@azure/storage-blob';
import { productVersion } from '../../shared/platform/version';
import { exportState, type StateTables } from '../../shared/store/backup/state-export';
import { BACKUP_SECTIONS, type BackupCounts } from '../../shared/store/backup/format';
import { describeLocation, openSink } from './backup-target';
import type { BackupLocation } from './backup-args';

/**
 * `npm run admin -- backup`: the sync state to a new file or blob (docs/runbook.md, "Back up and restore the sync
 * state"; what it holds: shared/store/backup/format.ts).
 */

export interface StateDeps {
  tables: StateTables;
  /** The blob service of the app's storage account, built only when a blob is named. */
  blobs: () => BlobServiceClient;
  now: () => number;
}

export interface StateIO {
  out(line: string): void;
  err(text: string): void;
}

export async function backupState(deps: StateDeps, target: BackupLocation, io: StateIO): Promise<void> {
  const sink = await openSink(target, deps.blobs);
  let result;
  try {
    result = await exportState(deps.tables, sink, { productVersion: productVersion(), now: deps.now });
    await sink.close();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  const { header, footer } = result;
  io.out(`backed up to ${describeLocation(target)}: ${countsText(footer.counts)}`);
  io.out(
    `began ${header.createdAt} (storage service clock), ended ${footer.completedAt}; sha256 ${footer.sha256}`,
  );
  if (!header.paused) {
    io.err(
      'note: sync was running while the tables were read, so a row it changed meanwhile may be in the backup as ' +
        'it was before or after. For a backup of one moment: "npm run admin -- pause", back up, then resume.\n',
    );
  }
}

const SECTION_NOTES: Record<string, string> = {
  subscriptions: ' (pending pairs)',
  jobs: ' (the pause switch)',
};

/** "users 30, pairstate 1,204, …" in the file's order. */
export function countsText(counts: BackupCounts): string {
  return BACKUP_SECTIONS.map(
    (s) => `${s.table} ${(counts[s.table] ?? 0).toLocaleString('en-US')}${SECTION_NOTES[s.table] ?? ''}`,
  ).join(', ');
}
