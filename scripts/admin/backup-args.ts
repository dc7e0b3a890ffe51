import { UsageError } from './args';

/** The command lines of `npm run admin -- backup …` and `npm run admin -- restore …`. */

/** A local file, or a blob on the app's own storage account. */
export type BackupLocation =
  { kind: 'file'; path: string } | { kind: 'blob'; container: string; name: string };

export type StateCommand =
  | { kind: 'backup'; target: BackupLocation }
  | { kind: 'restore'; source: BackupLocation; dryRun: boolean; force: boolean }
  | { kind: 'state-help' };

export const BACKUP_USAGE = `Usage: npm run admin -- backup (--out <file> | --blob <container>/<name>)
       npm run admin -- restore (--in <file> | --blob <container>/<name>) [--dry-run] [--force]

Backs up the sync state (pairs, links, cursors, pending creates, the pause switch's kinds and users, mailbox
credential marks, the colleagues directory, the DingTalk call count) and restores it. Never audit rows (they have
their own export) and never a secret (app passwords stay in Key Vault).

backup
  --out <file>              a new file (an existing one is never overwritten); gzip when the name ends in .gz
  --blob <container>/<name> a new blob on the app's storage account (the container is created when missing)
restore
  --in <file>               a backup file, gzip or not
  --blob <container>/<name> a backup blob
  --dry-run                 check the file, the pause switch and newer state, and say what would be written
  --force                   restore even when sync is not paused or state changed after the backup began

A restore reads the whole file before its first write and writes nothing when it is damaged or cut short. It
refuses unless the organisation is paused ("npm run admin -- pause") and no pair or pairstate row changed after
the backup began; it ends paused: "npm run admin -- resume" starts sync again from the restored cursors.`;

/** Azure's container names: 3-63 lower-case letters, digits and single hyphens, starting with a letter or digit. */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_BLOB_NAME = 1024;

function blobOf(text: string): BackupLocation {
  const cut = text.indexOf('/');
  const container = cut < 0 ? '' : text.slice(0, cut);
  const name = cut < 0 ? '' : text.slice(cut + 1);
  if (!CONTAINER.test(container) || !name || name.length > MAX_BLOB_NAME || name.endsWith('/')) {
    throw new UsageError(
      `--blob takes <container>/<name>, the container 3-63 lower-case letters, digits and hyphens, not ${JSON.stringify(text)}`,
    );
  }
  return { kind: 'blob', container, name };
}

/** `argv` starts with "backup" or "restore". */
export function parseStateArgs(argv: string[]): StateCommand {
  const [command, ...rest] = argv;
  const fileFlag = command === 'backup' ? '--out' : '--in';
  let location: BackupLocation | undefined;
  let dryRun = false;
  let force = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--help' || arg === '-h') return { kind: 'state-help' };
    const value = () => {
      const v = rest[++i]?.trim();
      if (!v || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === fileFlag || arg === '--blob') {
      if (location) throw new UsageError(`give one of ${fileFlag} and --blob, once`);
      location = arg === '--blob' ? blobOf(value()) : { kind: 'file', path: value() };
    } else if (arg === '--dry-run' && command === 'restore') dryRun = true;
    else if (arg === '--force' && command === 'restore') force = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)} for ${command}`);
  }
  if (!location) throw new UsageError(`${command} needs ${fileFlag} <file> or --blob <container>/<name>`);
  if (command === 'backup') return { kind: 'backup', target: location };
  return { kind: 'restore', source: location, dryRun, force };
}
