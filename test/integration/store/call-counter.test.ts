import { randomBytes } from 'node:crypto';
import { BlockReservingCounter, TableCallCounter } from '../../../shared/store/call-counter';
import { createStorage } from '../../../shared/platform/storage';

const storage = createStorage({ connectionString: process.env.TEST_AZURITE_CONNECTION! });
const table = () => `quota${randomBytes(4).toString('hex')}`;

describe('TableCallCounter', () => {
  test('adds within the limit and refuses past it', async () => {
    const counter = new TableCallCounter(storage, table());
    expect(await counter.tryAdd('2026-11', 3, 5)).toBe(true);
    expect(await counter.tryAdd('2026-11', 3, 5)).toBe(false);
    expect(await counter.tryAdd('2026-11', 2, 5)).toBe(true);
    expect(await counter.get('2026-11')).toBe(5);
    expect(await counter.get('2026-12')).toBe(0);
  });

  test('concurrent instances never lose an increment and never pass the limit together', async () => {
    const name = table();
    const counters = Array.from({ length: 8 }, () => new TableCallCounter(storage, name));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => counters[i % 8].tryAdd('2026-11', 1, 25)),
    );
    expect(results.filter(Boolean)).toHaveLength(25);
    expect(await counters[0].get('2026-11')).toBe(25);
  });

  test('raiseTo only raises', async () => {
    const counter = new TableCallCounter(storage, table());
    await counter.tryAdd('2026-11', 10, 100);
    await counter.raiseTo('2026-11', 4);
    expect(await counter.get('2026-11')).toBe(10);
    await counter.raiseTo('2026-11', 100);
    expect(await counter.tryAdd('2026-11', 1, 100)).toBe(false);
  });
});

describe('BlockReservingCounter', () => {
  test('writes the shared counter once per block and still stops at the limit', async () => {
    const shared = new TableCallCounter(storage, table());
    let writes = 0;
    const counting = {
      get: (m: string) => shared.get(m),
      raiseTo: (m: string, v: number) => shared.raiseTo(m, v),
      tryAdd: (m: string, c: number, l: number) => (writes++, shared.tryAdd(m, c, l)),
    };
    const local = new BlockReservingCounter(counting, 10);
    for (let i = 0; i < 20; i++) expect(await local.tryAdd('2026-11', 1, 25)).toBe(true);
    expect(writes).toBe(2);
    const granted = [];
    for (let i = 0; i < 10; i++) granted.push(await local.tryAdd('2026-11', 1, 25));
    expect(granted.filter(Boolean)).toHaveLength(5);
    expect(await shared.get('2026-11')).toBe(25);
  });
});
