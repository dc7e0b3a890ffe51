import { registerSecret } from '../../../shared/platform/logger';
import type { WorkItem } from '../../../shared/store/types';
import { InvalidWorkItemError } from '../../../shared/store/work-item';
import { countTableOperations } from '../../../bench/pipeline/table-counter';
import { createStorage } from '../../../shared/platform/storage';
import { createStores } from '../../../shared/store';
import { azuriteConnection, freshStores } from './store-fixture';

const { stores } = freshStores();
const failures = stores.failures;
const T0 = Date.parse('2026-11-22T08:00:00Z');
const MIN = 60_000;

const work = (pairId: string, folder = 'calendar'): WorkItem => ({
  pairId,
  kind: 'calendar',
  side: 'outlook',
  folder,
  reason: 'notification',
});

describe('TableFailureRepository', () => {
  test('a failure is due after 1 min; each failed retry backs off 5 min, 15 min, 1 h, 6 h, 6 h', async () => {
    let record = await failures.record(work('p1'), 'HTTP 503', false, T0);
    expect(record).toMatchObject({
      attempts: 1,
      nextTryAt: new Date(T0 + MIN).toISOString(),
      permanent: false,
    });
    expect(await failures.due(T0 + MIN - 1, 10)).toEqual([]);

    const expectedDelays = [5 * MIN, 15 * MIN, 60 * MIN, 360 * MIN, 360 * MIN];
    let now = T0 + MIN;
    for (const delay of expectedDelays) {
      const due = await failures.due(now, 10);
      expect(due).toHaveLength(1);
      record = due[0];
      await failures.settle(record, { ok: false, error: 'HTTP 503 again', permanent: false }, now);
      expect(await failures.due(now + delay - 1, 10)).toEqual([]);
      now += delay;
    }
    expect((await failures.due(now, 10))[0]).toMatchObject({ attempts: 6, lastError: 'HTTP 503 again' });
  });

  test('a successful retry removes the row', async () => {
    const record = await failures.record(work('p2'), 'timeout', false, T0);
    await failures.settle(record, { ok: true }, T0 + MIN);
    expect((await failures.list()).some((f) => f.work.pairId === 'p2')).toBe(false);
  });

  test('a permanent failure is kept but never due', async () => {
    await failures.record(work('p3'), 'HTTP 403 organizer only', true, T0);
    expect((await failures.due(T0 + 1000 * MIN, 100)).some((f) => f.work.pairId === 'p3')).toBe(false);
    expect((await failures.list()).find((f) => f.work.pairId === 'p3')).toMatchObject({ permanent: true });
  });

  test('a second failure of the same folder bumps the same row; another folder gets its own', async () => {
    await failures.record(work('p4'), 'first', false, T0);
    await failures.record({ ...work('p4'), reason: 'retry', resync: true }, 'second', false, T0);
    await failures.record(work('p4', 'other/folder'), 'other', false, T0);
    const rows = (await failures.list()).filter((f) => f.work.pairId === 'p4');
    expect(rows).toHaveLength(2);
    const same = rows.find((f) => f.work.folder === 'calendar')!;
    expect(same).toMatchObject({
      attempts: 2,
      lastError: 'second',
      nextTryAt: new Date(T0 + 5 * MIN).toISOString(),
    });
    expect(same.work).toMatchObject({ reason: 'retry', resync: true });
  });

  test('concurrent failures of one folder are all counted', async () => {
    await Promise.all(Array.from({ length: 5 }, (_, i) => failures.record(work('p5'), `e${i}`, false, T0)));
    expect((await failures.list()).find((f) => f.work.pairId === 'p5')?.attempts).toBe(5);
  });

  test('settling after a newer failure was recorded keeps the newer one', async () => {
    const old = await failures.record(work('p6'), 'first', false, T0);
    await failures.record(work('p6'), 'newer', false, T0 + MIN);
    await failures.settle(old, { ok: true }, T0 + 2 * MIN);
    expect((await failures.list()).find((f) => f.work.pairId === 'p6')).toMatchObject({ lastError: 'newer' });
  });

  test('known secrets are redacted from the stored error, huge errors truncated', async () => {
    registerSecret('sk-live-abcdef123456');
    const stored = await failures.record(
      work('p7'),
      `401 with token sk-live-abcdef123456 ${'x'.repeat(50_000)}`,
      false,
      T0,
    );
    expect(stored.lastError).not.toContain('sk-live-abcdef123456');
    expect(stored.lastError.length).toBeLessThan(5000);
  });

  test('malformed work is refused before anything is written', async () => {
    await expect(
      failures.record({ ...work('p8'), kind: 'fax' as never }, 'x', false, T0),
    ).rejects.toBeInstanceOf(InvalidWorkItemError);
  });

  test('due reads only the due rows, however many future and permanent failures the table holds', async () => {
    const storage = createStorage({ connectionString: azuriteConnection() });
    const counter = countTableOperations(storage);
    const own = createStores(storage, { tablePrefix: `f${Date.now().toString(36)}` }).failures;
    const later = Array.from({ length: 60 }, (_, i) => work(`later-${i}`));
    const stuck = Array.from({ length: 40 }, (_, i) => work(`stuck-${i}`));
    await Promise.all(later.map((w) => own.record(w, 'HTTP 503', false, T0 + 60 * MIN)));
    await Promise.all(stuck.map((w) => own.record(w, 'HTTP 403', true, T0)));
    await Promise.all(['a', 'b', 'c'].map((id) => own.record(work(`due-${id}`), 'HTTP 503', false, T0)));

    const before = counter.counts().requests;
    const due = await own.due(T0 + 2 * MIN, 100);
    expect(due.map((f) => f.work.pairId).sort()).toEqual(['due-a', 'due-b', 'due-c']);
    // One query over the retry schedule, then one point read per due failure.
    expect(counter.counts().requests - before).toBe(1 + 3);
  });

  test('a retry that succeeded or was rescheduled leaves no schedule entry behind to be read again', async () => {
    const storage = createStorage({ connectionString: azuriteConnection() });
    const own = createStores(storage, { tablePrefix: `g${Date.now().toString(36)}` }).failures;
    const done = await own.record(work('s1'), 'HTTP 503', false, T0);
    const again = await own.record(work('s2'), 'HTTP 503', false, T0);
    await own.settle(done, { ok: true }, T0 + MIN);
    await own.settle(again, { ok: false, error: 'HTTP 503', permanent: false }, T0 + MIN);
    expect((await own.due(T0 + 2 * MIN, 10)).map((f) => f.work.pairId)).toEqual([]);
    expect((await own.due(T0 + 6 * MIN, 10)).map((f) => f.work.pairId)).toEqual(['s2']);
    expect(await own.list()).toHaveLength(1);
  });
});
