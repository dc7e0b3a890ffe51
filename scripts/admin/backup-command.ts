import type { BlobServiceClient } from '@azure/storage-blob';
import { redactText } from '../../shared/platform/logger';
import { createStorage } from '../../shared/platform/storage';
import { BackupFileError } from '../../shared/store/backup/format';
import type { StateTables } from '../../shared/store/backup/state-export';
import { tableNames } from '../../shared/store/table-names';
import { UsageError } from './args';
import { backupState, type StateIO } from './backup';
import { BACKUP_USAGE, parseStateArgs, type StateCommand } from './backup-args';
import { blobServiceFor } from './backup-target';
import { describeError, storageSettingsFor, type AdminIO } from './command';
import { restoreState } from './restore';

/** `npm run admin -- backup | restore`: arguments, the storage they reach, and exit codes. */

export interface StateDepsOverride {
  /** The tables (a test's prefix); otherwise the app's, on AzureWebJobsStorage. */
  tables?: StateTables;
  blobs?: () => BlobServiceClient;
  now?: () => number;
}

/**
 * 0 done (a dry run included); 2 nothing changed: bad arguments, an unusable backup file, or a restore refused;
 * 1 storage, blob or sign-in trouble (a restore cut short by it says so, and is safe to run again).
 */
export async function runStateCommand(
  argv: string[],
  io: Pick<AdminIO, 'env'> & StateIO,
  deps: StateDepsOverride = {},
): Promise<number> {
  let command: StateCommand;
  try {
    command = parseStateArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${BACKUP_USAGE}\n`);
    return 2;
  }
  if (command.kind === 'state-help') {
    io.out(BACKUP_USAGE);
    return 0;
  }
  try {
    const settings = deps.tables && deps.blobs ? undefined : storageSettingsFor(io.env);
    const state = {
      tables: deps.tables ?? { storage: createStorage(settings!), names: tableNames() },
      blobs: deps.blobs ?? (() => blobServiceFor(settings!)),
      now: deps.now ?? Date.now,
    };
    if (command.kind === 'backup') {
      await backupState(state, command.target, io);
      return 0;
    }
    return await restoreState(state, command, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    if (err instanceof BackupFileError) {
      io.err(`the backup cannot be used: ${redactText(err.message)}; nothing was changed\n`);
      return 2;
    }
    io.err(`${accessHint(err) ?? describeError(err)}\n`);
    return 1;
  }
}

function accessHint(err: unknown): string | undefined {
  const status = (err as { statusCode?: number }).statusCode;
  if (status !== 401 && status !== 403) return undefined;
  return (
    `the storage account refused access (${status}). Backup and restore need "Storage Table Data Contributor" ` +
    '(the storage client makes sure the tables exist) and, with --blob, "Storage Blob Data Contributor" on the ' +
    'account for the signed-in account.'
  );
}
