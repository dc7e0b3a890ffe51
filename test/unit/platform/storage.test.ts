import { TableClient } from '@azure/data-tables';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createQueueClient, createStorage, createTableClient } from '../../../shared/platform/storage';

const connectionString = () => process.env.TEST_AZURITE_CONNECTION!;
const fakeCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }),
};

afterEach(() => jest.restoreAllMocks());

describe('storage clients', () => {
  test('Azurite over http works through the connection string (insecure allowed only for http)', async () => {
    const table = await createStorage({ connectionString: connectionString() }).table('storageSmokeA');
    expect(table.url.startsWith('http://')).toBe(true);
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
    expect((await table.getEntity<{ n: number }>('p', 'r')).n).toBe(1);
  });

  test('a table is created once per process, however many callers and Storage instances', async () => {
    const create = jest.spyOn(TableClient.prototype, 'createTable');
    const a = createStorage({ connectionString: connectionString() });
    const b = createStorage({ connectionString: connectionString() });
    await Promise.all([a.table('storageOnce'), a.table('storageOnce'), b.table('storageOnce')]);
    await a.table('storageOnce');
    expect(create).toHaveBeenCalledTimes(1);
    await a.table('storageOnceOther');
    expect(create).toHaveBeenCalledTimes(2);
  });

  test('a failed creation is not remembered: the next call tries again', async () => {
    const create = jest
      .spyOn(TableClient.prototype, 'createTable')
      .mockRejectedValueOnce(new Error('network down'));
    const storage = createStorage({ connectionString: connectionString() });
    await expect(storage.table('storageRetry')).rejects.toThrow('network down');
    await expect(storage.table('storageRetry')).resolves.toBeInstanceOf(TableClient);
    expect(create).toHaveBeenCalledTimes(2);
  });

  test('queues are created on first use', async () => {
    const queue = await createStorage({ connectionString: connectionString() }).queue('storage-smoke-q');
    await queue.sendMessage('aGVsbG8=');
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
  });

  test('with an account name, clients use the managed identity endpoints over https', () => {
    const settings = {
      accountName: 'syncstate01',
      managedIdentityClientId: '11111111-2222-4333-8444-555555555555',
    };
    expect(createTableClient(settings, 'links', fakeCredential).url).toBe(
      'https://syncstate01.table.core.windows.net',
    );
    expect(createQueueClient(settings, 'sync-work', fakeCredential).url).toBe(
      'https://syncstate01.queue.core.windows.net/sync-work',
    );
  });

  test('no storage setting at all is a clear error', () => {
    expect(() => createTableClient({}, 'links')).toThrow(/AzureWebJobsStorage__accountName/);
  });
});
