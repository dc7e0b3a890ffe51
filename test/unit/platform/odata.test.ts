import { odata as sdkOdata } from '@azure/data-tables';
import { odata } from '../../../shared/platform/odata';

test('builds the same filter as the Tables SDK: values quoted and escaped, typed literals kept', () => {
  const name = "o'brien";
  const since = new Date('2026-01-02T03:04:05.000Z');
  const built = odata`PartitionKey eq ${name} and n gt ${42} and at ge ${since} and ok eq ${true}`;
  expect(built).toBe(sdkOdata`PartitionKey eq ${name} and n gt ${42} and at ge ${since} and ok eq ${true}`);
  expect(built).toContain("PartitionKey eq 'o''brien'");
});
