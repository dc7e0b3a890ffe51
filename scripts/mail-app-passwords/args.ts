/** The command line of `npm run admin -- app-passwords …` (alias: `npm run mail:app-passwords -- …`). */

export type Action =
  | { kind: 'csv'; file: string }
  | { kind: 'set'; email: string; passwordEnv?: string }
  | { kind: 'list' }
  | { kind: 'reset'; email: string }
  | { kind: 'help' };

export interface Options {
  action: Action;
  vault?: string;
}

export const USAGE = `Usage: npm run admin -- app-passwords <action> [--vault <url>]
       (the same: npm run mail:app-passwords -- <action> [--vault <url>])

Actions (one):
  --csv <file>            store the app passwords of a CSV file, one "email,app password" per line
                          (header optional; unchanged ones are skipped)
  --set <email>           store or replace one mailbox's app password, typed at the prompt (not shown)
                          or piped on standard input; with --password-env <NAME>, taken from that variable
  --list                  list the mailboxes that have an app password, and any whose password was rejected
  --reset <email>         clear a mailbox's "credentials rejected" mark, so the next poll logs in again
  --help                  this text

The vault is --vault <url> or the KEY_VAULT_URL setting, e.g. https://kv-sync.vault.azure.net. The command signs
in as the app does (DefaultAzureCredential: "az login" on an admin's machine). No password is ever printed.`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): Options {
  let action: Action | undefined;
  let vault: string | undefined;
  let passwordEnv: string | undefined;
  const setAction = (next: Action) => {
    if (action) throw new UsageError('give one action: --csv, --set, --list or --reset');
    action = next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--csv') setAction({ kind: 'csv', file: value() });
    else if (arg === '--set') setAction({ kind: 'set', email: value() });
    else if (arg === '--list') setAction({ kind: 'list' });
    else if (arg === '--reset') setAction({ kind: 'reset', email: value() });
    else if (arg === '--help' || arg === '-h') setAction({ kind: 'help' });
    else if (arg === '--vault') vault = value();
    else if (arg === '--password-env') passwordEnv = value();
    else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (!action) throw new UsageError('give an action: --csv <file>, --set <email>, --list or --reset <email>');
  if (passwordEnv !== undefined) {
    if (action.kind !== 'set') throw new UsageError('--password-env goes with --set');
    action.passwordEnv = passwordEnv;
  }
  return { action, vault };
}
