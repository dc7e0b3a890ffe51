import { stalledMsWithin, type StorageStall } from '../../../bench/pipeline/storage-stalls';

const stall = (startMs: number, endMs: number, service: StorageStall['service'] = 'queue'): StorageStall => ({
  startMs,
  endMs,
  service,
});

test('only the part of a stall inside the window counts', () => {
  expect(stalledMsWithin([stall(0, 100), stall(900, 1200)], 50, 1000)).toBe(150);
  expect(stalledMsWithin([stall(0, 40), stall(1000, 1100)], 50, 1000)).toBe(0);
});

test('two services stalled at once count once', () => {
  const both = [stall(100, 400, 'queue'), stall(200, 300, 'table'), stall(350, 600, 'table')];
  expect(stalledMsWithin(both, 0, 1000)).toBe(500);
});
