import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { QueueClient } from '@azure/storage-queue';
import { dataTablesSdk, storageQueueSdk } from './lazy-sdks';
import { getConfig, type Config } from './config';
import { managedIdentityCredential } from './managed-identity';

/**
 * Table and queue clients for the app's storage account, the same way in Azure (account name + managed
 * identity) and locally (connection string, Azurite over http). Tables and queues are created on first use,
 * once per process, never per operation.
 */
export interface Storage {
  table(name: string): Promise<TableClient>;
  queue(name: string): Promise<QueueClient>;
}

export type StorageSettings = Config['storage'];

/** A client for one table; nothing is sent until it is used. */
export function createTableClient(
  settings: StorageSettings,
  name: string,
  credential?: TokenCredential,
): TableClient {
  const { TableClient } = dataTablesSdk();
  const connectionString = settings.connectionString;
  if (connectionString) {
    const client = TableClient.fromConnectionString(connectionString, name);
    // Azurite speaks plain http, which the SDK refuses unless told; real accounts are https only.
    if (!client.url.startsWith('http://')) return client;
    return TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  }
  const account = requireAccountName(settings);
  return new TableClient(
    `https://${account}.table.core.windows.net`,
    name,
    credential ?? managedIdentity(settings),
  );
}

/** A client for one queue; nothing is sent until it is used. */
export function createQueueClient(
  settings: StorageSettings,
  name: string,
  credential?: TokenCredential,
): QueueClient {
  const { QueueClient } = storageQueueSdk();
  if (settings.connectionString) return new QueueClient(settings.connectionString, name);
  const account = requireAccountName(settings);
  return new QueueClient(
    `https://${account}.queue.core.windows.net/${name}`,
    credential ?? managedIdentity(settings),
  );
}

/** Creation is remembered per endpoint and name for the whole process, across Storage instances. */
const ensured = new Map<string, Promise<void>>();

function ensureOnce(key: string, create: () => Promise<unknown>): Promise<void> {
  let done = ensured.get(key);
  if (!done) {
    done = create().then(() => undefined);
    // A failed creation (network, permissions) must be retried by the next caller, not remembered.
    done.catch(() => ensured.delete(key));
    ensured.set(key, done);
  }
  return done;
}

export function createStorage(
  settings: StorageSettings,
  options: { credential?: TokenCredential } = {},
): Storage {
  // One credential for every client, so its token cache is shared.
  const credential = settings.connectionString
    ? undefined
    : (options.credential ?? managedIdentity(settings));
  const tables = new Map<string, TableClient>();
  const queues = new Map<string, QueueClient>();
  return {
    async table(name) {
      let client = tables.get(name);
      if (!client) tables.set(name, (client = createTableClient(settings, name, credential)));
      const created = client;
      await ensureOnce(`table ${created.url} ${name}`, () => created.createTable());
      return created;
    },
    async queue(name) {
      let client = queues.get(name);
      if (!client) queues.set(name, (client = createQueueClient(settings, name, credential)));
      const created = client;
      await ensureOnce(`queue ${created.url}`, () => created.createIfNotExists());
      return created;
    },
  };
}

function requireAccountName(settings: StorageSettings): string {
  if (!settings.accountName) {
    throw new Error('storage is not configured: set AzureWebJobsStorage or AzureWebJobsStorage__accountName');
  }
  return settings.accountName;
}

function managedIdentity(settings: StorageSettings): TokenCredential {
  return managedIdentityCredential(settings.managedIdentityClientId);
}

let processStorage: Storage | undefined;

/** The process-wide storage built from the validated configuration. */
export function getStorage(): Storage {
  processStorage ??= createStorage(getConfig().storage);
  return processStorage;
}
