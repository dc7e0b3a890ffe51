import { startAzurite } from '../../sandbox/azurite';

/** One Azurite for the whole run; every suite uses its own table and queue names so they can run in parallel. */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  process.env.AzureWebJobsStorage = azurite.connectionString;
  process.env.TEST_AZURITE_CONNECTION = azurite.connectionString;
  (globalThis as Record<string, unknown>).__AZURITE__ = azurite;
}
