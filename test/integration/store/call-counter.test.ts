import { randomBytes } from 'node:crypto';
import {
  BatchingCallCounter,
  type MonthlyCounter,
  TableCallCounter,
} from '../../../shared/store/call-counter';
import { createStorage } from '../../../shared/platform/storage';
import { azuriteConnection } from './store-fixture';

const table = () => `quota${randomBytes(4).toString('hex')}`;
/** Each "process" gets its own storage clients, as separate Function instances would. */
const processStorage = () => createStorage({ connectionString: azuriteConnection() });
const storage = processStorage();

/** Stands for the DingTalk request a granted call makes: other callers run meanwhile. */
const request = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

/** Starts `callers` concurrent loops of `calls` sequential calls each, spread over the counters. */
async function hammer(counters: MonthlyCounter[], callers: number, calls: number, limit: number) {
  const granted = await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      const counter = counters[caller % counters.length]!;
      let mine = 0;
      for (let i = 0; i < calls; i++) {
        if (!(await counter.tryAdd('2026-11', 1, limit))) continue;
        mine++;
        await request();
      }
      return mine;
    }),
  );
  return granted.reduce((a, b) => a + b, 0);
}

/** Counts the table operations a counter spends on its table, as Table Storage would bill them. */
async function tableOperations(own: ReturnType<typeof processStorage>, name: string) {
  const client = await own.table(name);
  const spies = (['getEntity', 'createEntity', 'updateEntity', 'upsertEntity'] as const).map((method) =>
    jest.spyOn(client, method),
  );
  return () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0);
}

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
    const counters = Array.from({ length: 8 }, () => new TableCallCounter(processStorage(), name));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => counters[i % 8]!.tryAdd('2026-11', 1, 25)),
    );
    expect(results.filter(Boolean)).toHaveLength(25);
    expect(await counters[0]!.get('2026-11')).toBe(25);
  });

  test('an instance that wrote the row last adds without reading it first; a write by another is not lost', async () => {
    const name = table();
    const own = processStorage();
    const counter = new TableCallCounter(own, name);
    const reads = jest.spyOn(await own.table(name), 'getEntity');
    for (let i = 0; i < 10; i++) expect(await counter.tryAdd('2026-11', 1, 100)).toBe(true);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(await new TableCallCounter(processStorage(), name).tryAdd('2026-11', 5, 100)).toBe(true);
    expect(await counter.tryAdd('2026-11', 1, 100)).toBe(true);
    expect(await counter.get('2026-11')).toBe(16);
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

describe('BatchingCallCounter over the table, as the store wires it', () => {
  const processes = (name: string, n: number) =>
    Array.from({ length: n }, () => new BatchingCallCounter(new TableCallCounter(processStorage(), name)));
  const flushAll = (counters: BatchingCallCounter[]) => Promise.all(counters.map((c) => c.flush()));

  test('100 calls one at a time cost at most 11 table operations (one read, ten writes)', async () => {
    const name = table();
    const own = processStorage();
    const operations = await tableOperations(own, name);
    const counter = new BatchingCallCounter(new TableCallCounter(own, name));
    for (let i = 0; i < 100; i++) expect(await counter.tryAdd('2026-11', 1, 5000)).toBe(true);
    await counter.flush();
    expect(operations()).toBeLessThanOrEqual(11);
    expect(await new TableCallCounter(storage, name).get('2026-11')).toBe(100);
  });

  test('20 callers × 30 calls over 4 processes sharing one table: once flushed, the stored count is the calls made', async () => {
    const name = table();
    const counters = processes(name, 4);
    const granted = await hammer(counters, 20, 30, 1_000_000);
    await flushAll(counters);
    expect(granted).toBe(600);
    expect(await new TableCallCounter(storage, name).get('2026-11')).toBe(600);
  });

  test('near the limit, one process: exactly the limit is granted and stored, however its callers interleave', async () => {
    const name = table();
    const counters = processes(name, 1);
    const granted = await hammer(counters, 20, 30, 451);
    await flushAll(counters);
    expect(granted).toBe(451);
    expect(await new TableCallCounter(storage, name).get('2026-11')).toBe(451);
  });

  // Another process's unwritten calls are invisible until it writes them, so several processes racing flat out can
  // pass the limit by what each had granted but not written (under flushAt each); DingTalk's 90020 stops the rest.
  test('near the limit, four processes: the stored count is the calls granted, at most one unwritten batch each over', async () => {
    const name = table();
    const counters = processes(name, 4);
    const granted = await hammer(counters, 20, 30, 451);
    await flushAll(counters);
    expect(granted).toBeGreaterThanOrEqual(451);
    expect(granted).toBeLessThanOrEqual(451 + 4 * 9);
    expect(await new TableCallCounter(storage, name).get('2026-11')).toBe(granted);
  });

  test('a process that has not written yet is seen by the others once it flushes', async () => {
    const name = table();
    const [a, b] = processes(name, 2);
    for (let i = 0; i < 5; i++) await a!.tryAdd('2026-11', 1, 5000);
    expect(await b!.get('2026-11')).toBe(0);
    await a!.flush();
    expect(await b!.get('2026-11')).toBe(5);
  });
});
