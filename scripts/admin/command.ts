import { SANDBOX_DEFAULTS, SETTINGS } from '../../shared/platform/config';
import { redactText } from '../../shared/platform/logger';
import { createStorage } from '../../shared/platform/storage';
import { createStores } from '../../shared/store';
import { PauseLimitError } from '../../shared/store/control-store';
import { parseAdminArgs, UsageError, USAGE, type AdminAction } from './args';
import { pause, resume, status, type AdminStores } from './pause';

/** `npm run admin -- <command>`: the operator's commands that change how the running app behaves. */

export interface AdminIO {
  env: Record<string, string | undefined>;
  /** One line of results (standard output). */
  out(line: string): void;
  /** Problems (standard error); no newline added. */
  err(text: string): void;
}

export interface AdminDeps {
  /** Ready stores (tests); otherwise built from AzureWebJobsStorage, as the app builds its own. */
  stores?: AdminStores;
  now?: () => number;
}

export async function runAdminCommand(argv: string[], io: AdminIO, deps: AdminDeps = {}): Promise<number> {
  let action: AdminAction;
  try {
    action = parseAdminArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (action.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  const now = deps.now ?? Date.now;
  try {
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

/** The app's own storage: a connection string (sandbox: Azurite unless set), or the account with a sign-in. */
function storesFor(env: AdminIO['env']): AdminStores {
  const mode = (env.SYNC_MODE ?? '').trim() || SETTINGS.SYNC_MODE.default;
  if (mode !== 'sandbox' && mode !== 'live') throw new UsageError('SYNC_MODE must be sandbox or live');
  const accountName = env.AzureWebJobsStorage__accountName?.trim() || undefined;
  const connectionString =
    env.AzureWebJobsStorage?.trim() ||
    (mode === 'sandbox' && !accountName ? SANDBOX_DEFAULTS.AzureWebJobsStorage : undefined);
  if (!connectionString && !accountName) {
    throw new UsageError('no storage account: set AzureWebJobsStorage or AzureWebJobsStorage__accountName');
  }
  const storage = createStorage({
    connectionString,
    accountName,
    managedIdentityClientId: env.AZURE_CLIENT_ID?.trim() || undefined,
  });
  return createStores(storage);
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
      `the storage account refused access (${status}: ${message}). The pause switch needs the "Storage Table ` +
      `Data Contributor" and "Storage Queue Data Message Sender" roles on the account for the signed-in account.`
    );
  }
  if ((err as { code?: string }).code === 'ECONNREFUSED') {
    return `cannot reach the storage account (${message}); in sandbox mode, is Azurite running?`;
  }
  return status ? `${status}: ${message}` : message;
}
