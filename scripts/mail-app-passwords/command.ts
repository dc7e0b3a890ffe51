import {
  appPasswordVaultAccess,
  createAppPasswordVault,
  type AppPasswordVault,
} from '../../shared/app/mail/app-password-vault';
import { checkMailboxAddress } from '../../shared/app/mail/mailbox-address';
import { SETTINGS } from '../../shared/platform/config';
import { redactText, registerSecret } from '../../shared/platform/logger';
import { createStorage, type Storage } from '../../shared/platform/storage';
import {
  TableMailCredentialStore,
  type MailCredentialRecord,
} from '../../shared/store/mail-credential-store';
import { TABLE_NAMES } from '../../shared/store/table-names';
import { parseArgs, UsageError, USAGE, type Options } from './args';
import { checkAppPassword, parseAppPasswordCsv, type AppPasswordEntry } from './csv';
import { readPassword, type PasswordInput } from './read-password';

/**
 * `npm run mail:app-passwords`: the admin's one command for the per-mailbox IMAP app passwords in Key Vault
 * (docs/mail-app-passwords.md). It prints addresses, line numbers and counts, never a password.
 */

export interface CommandIO {
  env: Record<string, string | undefined>;
  stdin: PasswordInput;
  /** One line of results (standard output). */
  out(line: string): void;
  /** Problems and prompts (standard error); no newline added. */
  err(text: string): void;
  readFile(path: string): Promise<string>;
}

export interface CommandDeps {
  /** A ready vault (tests); otherwise built from --vault / KEY_VAULT_URL. */
  vault?: AppPasswordVault;
  /** Where the "credentials rejected" marks are; otherwise AzureWebJobsStorage when it is set. */
  storage?: Storage;
  mailCredentialsTable?: string;
}

/** Parallel Key Vault requests while loading a CSV: far below its 4,000 per 10 s, fast enough for 10,000 lines. */
const CONCURRENCY = 4;

export async function runAppPasswordsCommand(
  argv: string[],
  io: CommandIO,
  deps: CommandDeps = {},
): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.action.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    switch (options.action.kind) {
      case 'csv':
        return await loadCsv(options.action.file, vaultFor(options, io.env, deps), io);
      case 'set':
        return await setOne(
          options.action.email,
          options.action.passwordEnv,
          vaultFor(options, io.env, deps),
          io,
        );
      case 'list':
        return await list(vaultFor(options, io.env, deps), markStore(io.env, deps), io);
      case 'reset':
        return await reset(options.action.email, markStore(io.env, deps), io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    io.err(`${describeError(err)}\n`);
    return 1;
  }
}

async function loadCsv(file: string, vault: AppPasswordVault, io: CommandIO): Promise<number> {
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  const parsed = parseAppPasswordCsv(text);
  for (const entry of parsed.entries) registerSecret(entry.password);
  for (const p of parsed.problems) io.err(`line ${p.line}: ${p.message}\n`);

  const counts = { written: 0, unchanged: 0, failed: 0 };
  let fatal: unknown;
  const queue = [...parsed.entries];
  const work = async () => {
    for (let entry = queue.shift(); entry && !fatal; entry = queue.shift()) {
      try {
        counts[await store(vault, entry)]++;
      } catch (err) {
        if (isAccessDenied(err)) {
          fatal ??= err;
          return;
        }
        counts.failed++;
        io.err(`line ${entry.line}: ${entry.email}: not written: ${describeError(err)}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
  if (fatal) {
    io.err(`${describeError(fatal)}\n`);
    io.err(`stopped after ${counts.written} written, ${counts.unchanged} unchanged.\n`);
    return 1;
  }
  const rejected = new Set(parsed.problems.map((p) => p.line)).size;
  io.out(
    `${counts.written} written, ${counts.unchanged} unchanged, ${rejected} rejected line${rejected === 1 ? '' : 's'}` +
      (counts.failed ? `, ${counts.failed} failed` : '') +
      (parsed.repeats
        ? ` (${parsed.repeats} repeated line${parsed.repeats === 1 ? '' : 's'} used once)`
        : ''),
  );
  return rejected || counts.failed ? 1 : 0;
}

/** Writes one entry unless Key Vault already holds that exact value (one GET, plus one PUT when it differs). */
async function store(vault: AppPasswordVault, entry: AppPasswordEntry): Promise<'written' | 'unchanged'> {
  const current = await vault.read(entry.email);
  if (current?.password === entry.password) return 'unchanged';
  await vault.write(entry.email, entry.password);
  return 'written';
}

async function setOne(
  email: string,
  passwordEnv: string | undefined,
  vault: AppPasswordVault,
  io: CommandIO,
): Promise<number> {
  const address = checkMailboxAddress(email);
  if (!address.ok) throw new UsageError(`--set: ${address.reason}`);
  let password: string;
  if (passwordEnv !== undefined) {
    const value = io.env[passwordEnv];
    if (value === undefined) throw new UsageError(`--password-env: the variable ${passwordEnv} is not set`);
    password = value;
  } else {
    password = await readPassword(io.stdin, io.err);
  }
  registerSecret(password);
  const bad = checkAppPassword(password);
  if (bad) throw new UsageError(`${address.address}: ${bad}; nothing was written`);
  const outcome = await store(vault, { line: 0, email: address.address, password });
  io.out(
    outcome === 'written'
      ? `${address.address}: app password stored (a new version; the app uses it within 10 minutes)`
      : `${address.address}: unchanged (Key Vault already holds this app password)`,
  );
  return 0;
}

async function list(vault: AppPasswordVault, marks: TableMailCredentialStore | undefined, io: CommandIO) {
  const rows = new Map<string, { updated?: Date; enabled: boolean }>();
  let unnamed = 0;
  for await (const item of vault.list()) {
    if (item.mailbox) rows.set(item.mailbox, { updated: item.updatedOn, enabled: item.enabled });
    else unnamed++;
  }
  const rejected = new Map<string, MailCredentialRecord>();
  let marksNote: string | undefined;
  if (marks) {
    try {
      for (const r of (await marks.list(50_000)).records) rejected.set(r.email, r);
    } catch (err) {
      marksNote = `("credentials rejected" marks could not be read: ${describeError(err)})`;
    }
  } else {
    marksNote = '(set AzureWebJobsStorage to also see which passwords the mail server rejected)';
  }
  const addresses = [...new Set([...rows.keys(), ...rejected.keys()])].sort();
  for (const address of addresses) {
    const row = rows.get(address);
    const stored = row
      ? `stored ${row.updated?.toISOString().slice(0, 16).replace('T', ' ') ?? ''} UTC${row.enabled ? '' : ' (disabled)'}`
      : 'no app password';
    io.out(`${address}  ${stored}${statusOf(rejected.get(address))}`);
  }
  io.out(
    `${rows.size} mailbox${rows.size === 1 ? '' : 'es'} with an app password` +
      (rejected.size ? `, ${rejected.size} with credentials rejected` : '') +
      (unnamed ? `, ${unnamed} app-password secret(s) without a "mailbox" tag` : ''),
  );
  if (marksNote) io.out(marksNote);
  return 0;
}

function statusOf(mark: MailCredentialRecord | undefined): string {
  if (!mark) return '';
  if (mark.stopped)
    return `  CREDENTIALS REJECTED ${mark.attempts} times, not tried until a new app password is stored`;
  return `  credentials rejected (attempt ${mark.attempts}), next try after ${mark.nextTryAt}`;
}

async function reset(
  email: string,
  marks: TableMailCredentialStore | undefined,
  io: CommandIO,
): Promise<number> {
  const address = checkMailboxAddress(email);
  if (!address.ok) throw new UsageError(`--reset: ${address.reason}`);
  if (!marks) throw new UsageError('--reset needs the storage account: set AzureWebJobsStorage');
  const mark = await marks.get(address.address);
  await marks.remove(address.address);
  io.out(
    mark
      ? `${address.address}: "credentials rejected" cleared; the app tries this mailbox again within a minute`
      : `${address.address}: had no "credentials rejected" mark`,
  );
  return 0;
}

function vaultFor(options: Options, env: CommandIO['env'], deps: CommandDeps): AppPasswordVault {
  if (deps.vault) return deps.vault;
  const url = (options.vault ?? env.KEY_VAULT_URL ?? '').trim();
  if (!url) {
    throw new UsageError('no Key Vault: pass --vault https://<name>.vault.azure.net or set KEY_VAULT_URL');
  }
  if (!SETTINGS.KEY_VAULT_URL.schema.safeParse(url).success) {
    throw new UsageError(`the vault ${JSON.stringify(url)} is not a URL; ${SETTINGS.KEY_VAULT_URL.help}`);
  }
  const mode = (env.SYNC_MODE ?? '').trim() || SETTINGS.SYNC_MODE.default;
  if (mode !== 'sandbox' && mode !== 'live') throw new UsageError(`SYNC_MODE must be sandbox or live`);
  try {
    return createAppPasswordVault(
      appPasswordVaultAccess(url, mode, env.AZURE_CLIENT_ID?.trim() || undefined),
    );
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function markStore(env: CommandIO['env'], deps: CommandDeps): TableMailCredentialStore | undefined {
  const table = deps.mailCredentialsTable ?? TABLE_NAMES.mailCredentials;
  if (deps.storage) return new TableMailCredentialStore(deps.storage, table);
  const connectionString = env.AzureWebJobsStorage?.trim() || undefined;
  const accountName = env.AzureWebJobsStorage__accountName?.trim() || undefined;
  if (!connectionString && !accountName) return undefined;
  const storage = createStorage({
    connectionString,
    accountName,
    managedIdentityClientId: env.AZURE_CLIENT_ID?.trim() || undefined,
  });
  return new TableMailCredentialStore(storage, table);
}

function isAccessDenied(err: unknown): boolean {
  const status = (err as { statusCode?: number }).statusCode;
  return status === 401 || status === 403 || (err as Error)?.name === 'CredentialUnavailableError';
}

/** One line for the admin, with a hint for the usual causes; passed through the logger's redaction. */
function describeError(err: unknown): string {
  const status = (err as { statusCode?: number }).statusCode;
  const message = redactText(String((err as Error)?.message ?? err).split('\n')[0]);
  if ((err as Error)?.name === 'CredentialUnavailableError' || /DefaultAzureCredential/.test(message)) {
    return `could not sign in to Azure (${message}); run "az login" first`;
  }
  if (status === 401 || status === 403) {
    return (
      `Key Vault refused access (${status}: ${message}). Writing and listing app passwords needs the ` +
      `"Key Vault Secrets Officer" role on the vault for the signed-in account.`
    );
  }
  return status ? `${status}: ${message}` : message;
}
