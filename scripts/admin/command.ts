import { SANDBOX_DEFAULTS, SETTINGS } from '../../shared/platform/config';
import { redactText } from '../../shared/platform/logger';
import { createStorage, type Storage, type StorageSettings } from '../../shared/platform/storage';
import { createStores } from '../../shared/store';
import { PauseLimitError } from '../../shared/store/control-store';
import { utcDay } from '../../shared/store/day';
import { TABLE_NAMES } from '../../shared/store/table-names';
import type {
  CommandDeps as AppPasswordsDeps,
  CommandIO as AppPasswordsIO,
} from '../mail-app-passwords/command';
import { runAppPasswords } from './app-passwords';
import { parseAdminArgs, UsageError, USAGE, type AdminAction } from './args';
import { runStateCommand, type StateDepsOverride } from './backup-command';
import { AUDIT_USAGE, parseAuditArgs, type AuditQuery } from './audit-args';
import { exportAudit, throughLines, type AuditSource } from './audit-export';
import { pause, resume, status, type AdminStores } from './pause';
import { runUndo, type UndoOpen } from './undo';

/** `npm run admin -- <command>`: the operator's commands that change how the running app behaves. */

export interface AdminIO {
  env: Record<string, string | undefined>;
  /** One line of results (standard output). */
  out(line: string): void;
  /** Problems (standard error); no newline added. */
  err(text: string): void;
  /** Raw standard output for exports, resolving when it takes more; without it they go through out(). */
  write?(text: string): Promise<void> | void;
  /** app-passwords only: the prompt's input and the CSV reader (tests); otherwise the process's own. */
  stdin?: AppPasswordsIO['stdin'];
  readFile?: AppPasswordsIO['readFile'];
}

export interface AdminDeps {
  /** Ready stores (tests); otherwise built from AzureWebJobsStorage, as the app builds its own. */
  stores?: AdminStores;
  /** The audit table and the users (tests); otherwise on AzureWebJobsStorage. */
  audit?: AuditSource;
  now?: () => number;
  /** undo: its ports for a kind (tests); otherwise built from the app's settings. */
  undo?: UndoOpen;
  /** app-passwords: a ready vault and marks table (tests). */
  appPasswords?: AppPasswordsDeps;
  /** backup and restore: the tables (a test's prefix) and the blob service. */
  state?: StateDepsOverride;
}

export async function runAdminCommand(argv: string[], io: AdminIO, deps: AdminDeps = {}): Promise<number> {
  const now = deps.now ?? Date.now;
  if (argv[0] === 'app-passwords') return runAppPasswords(argv.slice(1), io, deps.appPasswords);
  if (argv[0] === 'backup' || argv[0] === 'restore') return runStateCommand(argv, io, { now, ...deps.state });
  if (argv[0] === 'undo') return runUndo(argv.slice(1), io, deps.undo);
  const audit = argv[0] === 'audit';
  let action: AdminAction | AuditQuery | { kind: 'audit-help' };
  try {
    action = audit ? parseAuditArgs(argv.slice(1), utcDay(now())) : parseAdminArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${audit ? AUDIT_USAGE : USAGE}\n`);
    return 2;
  }
  if (action.kind === 'help' || action.kind === 'audit-help') {
    io.out(action.kind === 'help' ? `${USAGE}\n\n${AUDIT_USAGE}` : AUDIT_USAGE);
    return 0;
  }
  try {
    if (action.kind === 'audit') {
      const source = deps.audit ?? auditSourceFor(io.env);
      await exportAudit(source, action, { write: io.write ?? throughLines(io.out), err: io.err });
      return 0;
    }
    const stores = deps.stores ?? storesFor(io.env);
    switch (action.kind) {
      case 'pause':
        await pause(stores, action, now(), io);
        return 0;
      case 'resume':
        await resume(stores, action, now(), io);
        return 0;
      case 'status':
        await status(stores, io);
        return 0;
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof PauseLimitError) {
      io.err(`${err.message}\n`);
      return 2;
    }
    io.err(`${describeError(err)}\n`);
    return 1;
  }
}

function storesFor(env: AdminIO['env']): AdminStores {
  return createStores(storageFor(env));
}

function auditSourceFor(env: AdminIO['env']): AuditSource {
  const storage = storageFor(env);
  return { storage, tableName: TABLE_NAMES.audit, users: createStores(storage).users };
}

/** The app's own storage: a connection string (sandbox: Azurite unless set), or the account with a sign-in. */
function storageFor(env: AdminIO['env']): Storage {
  return createStorage(storageSettingsFor(env));
}

export function storageSettingsFor(env: AdminIO['env']): StorageSettings {
  const mode = (env.SYNC_MODE ?? '').trim() || SETTINGS.SYNC_MODE.default;
  if (mode !== 'sandbox' && mode !== 'live') throw new UsageError('SYNC_MODE must be sandbox or live');
  const accountName = env.AzureWebJobsStorage__accountName?.trim() || undefined;
  const connectionString =
    env.AzureWebJobsStorage?.trim() ||
    (mode === 'sandbox' && !accountName ? SANDBOX_DEFAULTS.AzureWebJobsStorage : undefined);
  if (!connectionString && !accountName) {
    throw new UsageError('no storage account: set AzureWebJobsStorage or AzureWebJobsStorage__accountName');
  }
  return {
    connectionString,
    accountName,
    managedIdentityClientId: env.AZURE_CLIENT_ID?.trim() || undefined,
  };
}

/** One line for the admin, with a hint for the usual causes; passed through the logger's redaction. */
export function describeError(err: unknown): string {
  const status = (err as { statusCode?: number }).statusCode;
  const message = redactText(String((err as Error)?.message ?? err).split('\n')[0]);
  if ((err as Error)?.name === 'CredentialUnavailableError' || /DefaultAzureCredential/.test(message)) {
    return `could not sign in to Azure (${message}); run "az login" first`;
  }
  if (status === 401 || status === 403) {
    return (
      `the storage account refused access (${status}: ${message}). The pause switch needs the "Storage Table ` +
      `Data Contributor" and "Storage Queue Data Message Sender" roles on the account for the signed-in account.`
    );
  }
  if ((err as { code?: string }).code === 'ECONNREFUSED') {
    return `cannot reach the storage account (${message}); in sandbox mode, is Azurite running?`;
  }
  return status ? `${status}: ${message}` : message;
}
