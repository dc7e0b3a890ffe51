import { KINDS, type Kind } from '../../shared/sync/types';

/** The command line of `npm run admin -- …`. */

export { KINDS };

export type AdminAction =
  | { kind: 'pause'; user?: string; syncKind?: Kind }
  | { kind: 'resume'; user?: string; syncKind?: Kind; all: boolean }
  | { kind: 'status' }
  | { kind: 'help' };

export const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  pause [--kind <kind>] [--user <email or pair id>]
                 stop every write for the whole organisation, one kind, one user, or one user's kind;
                 it takes hold within a minute
  resume [--kind <kind>] [--user <email or pair id>] [--all]
                 lift that pause (--all: every pause); the folders it held are pulled at once
  status         what is paused, and since when
  backup (--out <file> | --blob <container>/<name>)
                 the sync state (pairs, links, cursors, the pause switch, …) to a new file or blob
  restore (--in <file> | --blob <container>/<name>) [--dry-run] [--force]
                 put it back: refused unless sync is paused and nothing changed since the backup
                 ("npm run admin -- backup --help")
  app-passwords <action>
                 the mailboxes' IMAP app passwords in Key Vault: --csv <file>, --set <email>, --list,
                 --reset <email> ("npm run admin -- app-passwords --help" for the details)
  undo (--user <who> | --all) --kind <kind> --from <when> --to <when> [--side <side>] [--out <plan>]
  undo --apply --plan <plan>
                 remove the copies this product created in a time range, never an original: a dry run
                 that lists them and writes a plan, then --apply ("npm run admin -- undo --help")
  help           this text

Kinds: ${KINDS.join(', ')}. The command reaches the app's storage as the app does: AzureWebJobsStorage (a
connection string; in sandbox mode Azurite by default) or AzureWebJobsStorage__accountName, signed in with
DefaultAzureCredential ("az login" on an admin's machine).`;

export class UsageError extends Error {}

export function parseAdminArgs(argv: string[]): AdminAction {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    return { kind: 'help' };
  }
  if (command !== 'pause' && command !== 'resume' && command !== 'status') {
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
  let user: string | undefined;
  let syncKind: Kind | undefined;
  let all = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v.trim();
    };
    if (arg === '--kind' && command !== 'status') {
      const v = value();
      if (!(KINDS as readonly string[]).includes(v)) {
        throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, not ${JSON.stringify(v)}`);
      }
      syncKind = v as Kind;
    } else if (arg === '--user' && command !== 'status') user = value();
    else if (arg === '--all' && command === 'resume') all = true;
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)} for ${command}`);
  }
  if (command === 'status') return { kind: 'status' };
  if (command === 'pause') return { kind: 'pause', user, syncKind };
  if (all && (user || syncKind)) throw new UsageError('--all resumes everything: give it alone');
  return { kind: 'resume', user, syncKind, all };
}
