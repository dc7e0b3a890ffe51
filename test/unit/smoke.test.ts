import { TableClient } from '@azure/data-tables';

test('Azurite from the global setup answers table calls', async () => {
  const client = TableClient.fromConnectionString(process.env.TEST_AZURITE_CONNECTION!, 'smoke', {
    allowInsecureConnection: true,
  });
  await client.createTable();
  await client.upsertEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
  const row = await client.getEntity<{ n: number }>('p', 'r');
  expect(row.n).toBe(1);
});
