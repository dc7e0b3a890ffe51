import { randomBytes } from 'node:crypto';
import { CoalescingCounter, type MonthlyCounter, TableCallCounter } from '../../../shared/store/call-counter';
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

/** A shared counter whose writes are counted, and held until released when `hold` is set. */
function countingShared(shared: MonthlyCounter) {
  const spy = {
    adds: [] as number[],
    hold: undefined as Promise<void> | undefined,
    get: (m: string) => shared.get(m),
    raiseTo: (m: string, v: number) => shared.raiseTo(m, v),
    async tryAdd(m: string, c: number, l: number) {
      spy.adds.push(c);
      await spy.hold;
      return shared.tryAdd(m, c, l);
    },
  };
  return spy;
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

describe('CoalescingCounter over the table, as the store wires it', () => {
  const processes = (name: string, n: number) =>
    Array.from({ length: n }, () => new CoalescingCounter(new TableCallCounter(processStorage(), name)));

  test('20 callers × 30 calls over 4 processes sharing one table: the stored count is the calls made', async () => {
    const name = table();
    const granted = await hammer(processes(name, 4), 20, 30, 1_000_000);
    expect(granted).toBe(600);
    expect(await new TableCallCounter(storage, name).get('2026-11')).toBe(600);
  });

  test('near the limit: exactly the limit is granted and stored, however the callers interleave', async () => {
    const name = table();
    const granted = await hammer(processes(name, 4), 20, 30, 451);
    expect(granted).toBe(451);
    expect(await new TableCallCounter(storage, name).get('2026-11')).toBe(451);
  });

  test('callers of one process waiting on a write share the next one', async () => {
    const spy = countingShared(new TableCallCounter(storage, table()));
    let release!: () => void;
    spy.hold = new Promise<void>((resolve) => (release = resolve));
    const counter = new CoalescingCounter(spy);
    const results = Array.from({ length: 10 }, () => counter.tryAdd('2026-11', 1, 100));
    release();
    expect(await Promise.all(results)).toEqual(Array(10).fill(true));
    expect(spy.adds).toEqual([1, 9]);
    expect(await counter.get('2026-11')).toBe(10);
  });

  test('a batch that would pass the limit is granted call by call, in order, and push may use the reserve', async () => {
    const spy = countingShared(new TableCallCounter(storage, table()));
    let release!: () => void;
    spy.hold = new Promise<void>((resolve) => (release = resolve));
    const counter = new CoalescingCounter(spy);
    const first = counter.tryAdd('2026-11', 1, 4);
    const background = Array.from({ length: 5 }, () => counter.tryAdd('2026-11', 1, 4));
    const push = [counter.tryAdd('2026-11', 1, 5), counter.tryAdd('2026-11', 1, 5)];
    release();
    expect(await first).toBe(true);
    expect(await Promise.all(background)).toEqual([true, true, true, false, false]);
    expect(await Promise.all(push)).toEqual([true, false]);
    expect(await counter.get('2026-11')).toBe(5);
  });

  test('a failing write fails every caller waiting on it, and the next caller starts afresh', async () => {
    let failing = true;
    const shared = new TableCallCounter(storage, table());
    const counter = new CoalescingCounter({
      get: (m) => shared.get(m),
      raiseTo: (m, v) => shared.raiseTo(m, v),
      tryAdd: async (m, c, l) => {
        if (failing) throw new Error('table unavailable');
        return shared.tryAdd(m, c, l);
      },
    });
    await expect(counter.tryAdd('2026-11', 1, 10)).rejects.toThrow('table unavailable');
    failing = false;
    expect(await counter.tryAdd('2026-11', 1, 10)).toBe(true);
    expect(await counter.get('2026-11')).toBe(1);
  });
});
