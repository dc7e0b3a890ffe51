import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { createStorage, type Storage } from '../../../shared/platform/storage';
import { createStores, type Stores } from '../../../shared/store';
import type { UserRef } from '../../../shared/sync/types';

/** Real Azurite from the global setup; each call gets tables and a queue no other suite touches. */
export function azuriteConnection(): string {
  const connection = process.env.TEST_AZURITE_CONNECTION;
  if (!connection)
    throw new Error('TEST_AZURITE_CONNECTION is not set: run through jest (its globalSetup starts Azurite)');
  return connection;
}

export function freshStores(): { storage: Storage; stores: Stores; prefix: string; queueName: string } {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const queueName = `q-${prefix}`;
  const storage = createStorage({ connectionString: azuriteConnection() });
  return { storage, prefix, queueName, stores: createStores(storage, { tablePrefix: prefix, queueName }) };
}

/** A raw client on one of the suite's tables, to look at rows the way the service stores them. */
export function rawTable(name: string): TableClient {
  return TableClient.fromConnectionString(azuriteConnection(), name, { allowInsecureConnection: true });
}

export const userRef = (pairId: string): UserRef => ({
  pairId,
  dingtalkUserId: `dt-${pairId}`,
  dingtalkUnionId: `union-${pairId}`,
  entraId: `entra-${pairId}`,
  email: `${pairId}@example.com`,
});
