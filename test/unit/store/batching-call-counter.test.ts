import { BatchingCallCounter, type SharedCallCount } from '../../../shared/store/call-counter';

const MONTH = '2026-11';

/** The shared row in memory, counting its operations the way TableCallCounter spends them (no write when unchanged). */
class CountingShared implements SharedCallCount {
  count = 0;
  reads = 0;
  writes = 0;
  failing = false;

  async get(): Promise<number> {
    this.reads++;
    return this.count;
  }

  async add(_month: string, made: number, calls: number, limit: number) {
    await Promise.resolve();
    if (this.failing) throw new Error('table unavailable');
    const granted = this.count + made + calls <= limit;
    const next = this.count + made + (granted ? calls : 0);
    if (next !== this.count) this.writes++;
    this.count = next;
    return { granted, count: next };
  }

  async raiseTo(_month: string, value: number): Promise<void> {
    this.count = Math.max(this.count, value);
  }
}

async function callOneAtATime(
  counter: BatchingCallCounter,
  calls: number,
  limit: number,
): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (let i = 0; i < calls; i++) answers.push(await counter.tryAdd(MONTH, 1, limit));
  return answers;
}

afterEach(() => jest.useRealTimers());

test('100 calls one at a time cost at most 10 writes and one read, and the flushed count is exact', async () => {
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared);
  expect(await callOneAtATime(counter, 100, 5000)).toEqual(Array(100).fill(true));
  expect(shared.writes).toBeLessThanOrEqual(10);
  expect(shared.reads).toBe(1);
  await counter.flush();
  expect(shared.count).toBe(100);
});

test('concurrent callers of one process share writes', async () => {
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared);
  const answers = await Promise.all(Array.from({ length: 25 }, () => counter.tryAdd(MONTH, 1, 5000)));
  expect(answers).toEqual(Array(25).fill(true));
  expect(shared.writes).toBeLessThanOrEqual(3);
  await counter.flush();
  expect(shared.count).toBe(25);
});

test('within the margin of the limit every call is written and checked on the shared row', async () => {
  const shared = new CountingShared();
  shared.count = 90;
  const counter = new BatchingCallCounter(shared, { margin: 10 });
  expect(await counter.tryAdd(MONTH, 1, 100)).toBe(true);
  expect(shared).toMatchObject({ count: 91, writes: 1 });
  // Another instance adds calls this one has not seen: the row, not the local copy, decides.
  shared.count = 98;
  expect(await callOneAtATime(counter, 3, 100)).toEqual([true, true, false]);
  expect(shared).toMatchObject({ count: 100, writes: 3 });
});

test('background work meets its lower limit exactly while push work still fits', async () => {
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared, { margin: 5 });
  const background = await callOneAtATime(counter, 90, 80);
  expect(background.filter(Boolean)).toHaveLength(80);
  expect(await counter.tryAdd(MONTH, 1, 100)).toBe(true);
  await counter.flush();
  expect(shared.count).toBe(81);
});

test('unwritten calls are written once they are older than maxAgeMs, by a timer that keeps no process alive', async () => {
  jest.useFakeTimers();
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared, { maxAgeMs: 5_000 });
  await callOneAtATime(counter, 3, 5000);
  await jest.advanceTimersByTimeAsync(4_999);
  expect(shared).toMatchObject({ count: 0, writes: 0 });
  await jest.advanceTimersByTimeAsync(1);
  expect(shared).toMatchObject({ count: 3, writes: 1 });
  await jest.advanceTimersByTimeAsync(60_000);
  expect(shared.writes).toBe(1);
});

test('the age timer is unref()ed', async () => {
  const timeouts = jest.spyOn(global, 'setTimeout');
  const counter = new BatchingCallCounter(new CountingShared(), { maxAgeMs: 60_000 });
  await counter.tryAdd(MONTH, 1, 5000);
  const timer = timeouts.mock.results.at(-1)?.value as NodeJS.Timeout;
  expect(timer.hasRef()).toBe(false);
  clearTimeout(timer);
  timeouts.mockRestore();
});

test('a failed flush keeps the unwritten calls for the next one', async () => {
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared);
  await callOneAtATime(counter, 4, 5000);
  shared.failing = true;
  await expect(counter.flush()).rejects.toThrow('table unavailable');
  shared.failing = false;
  await counter.flush();
  expect(shared.count).toBe(4);
});

test('a failed timer flush is retried by the next timer', async () => {
  jest.useFakeTimers();
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared, { maxAgeMs: 1_000 });
  await callOneAtATime(counter, 2, 5000);
  shared.failing = true;
  await jest.advanceTimersByTimeAsync(1_000);
  shared.failing = false;
  await jest.advanceTimersByTimeAsync(1_000);
  expect(shared.count).toBe(2);
});

test('a call whose write fails is refused with the error and not counted; earlier calls stay pending', async () => {
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared, { flushAt: 10 });
  await callOneAtATime(counter, 9, 5000);
  shared.failing = true;
  await expect(counter.tryAdd(MONTH, 1, 5000)).rejects.toThrow('table unavailable');
  shared.failing = false;
  await counter.flush();
  expect(shared.count).toBe(9);
});

test('get includes the calls not written yet; raiseTo counts them once and refuses the next calls', async () => {
  const shared = new CountingShared();
  const counter = new BatchingCallCounter(shared);
  await callOneAtATime(counter, 3, 5000);
  shared.count += 7;
  expect(await counter.get(MONTH)).toBe(10);
  await counter.raiseTo(MONTH, 5000);
  expect(await counter.tryAdd(MONTH, 1, 5000)).toBe(false);
  await counter.flush();
  expect(shared.count).toBe(5000);
});
