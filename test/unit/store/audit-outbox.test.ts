import { AuditPublisher, type AuditOutbox, type AuditRecord } from '../../../shared/store/audit-outbox';

let serial = 0;
const record = (pairId = 'p1'): AuditRecord => ({
  rowKey: `k${++serial}`,
  entry: {
    at: '2026-12-07T10:00:00.000Z',
    pairId,
    kind: 'calendar',
    action: 'create',
    reason: 'N4: new item',
  },
});
const outbox = (id: string, records: AuditRecord[]): AuditOutbox => ({ id, records });

/** The audit table in memory: every transaction the publisher sends, and the rows it holds. */
class Table {
  writes: AuditRecord[][] = [];
  rows = new Map<string, AuditRecord>();
  failNext = 0;
  write = async (records: AuditRecord[]) => {
    await Promise.resolve();
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('storage unavailable');
    }
    this.writes.push(records);
    for (const r of records) this.rows.set(r.rowKey, r);
  };
}

afterEach(() => jest.useRealTimers());

test('outboxes of many pulls are written together, once the delay has passed', async () => {
  jest.useFakeTimers();
  const table = new Table();
  const publisher = new AuditPublisher(table.write, { delayMs: 5000 });
  const a = outbox('a1', [record('p1'), record('p1')]);
  const b = outbox('b1', [record('p2')]);
  publisher.enqueue('p1|calendar', a);
  await jest.advanceTimersByTimeAsync(2000);
  publisher.enqueue('p2|calendar', b);
  await jest.advanceTimersByTimeAsync(2999);
  expect(table.writes).toHaveLength(0);
  expect(publisher.written('p1|calendar', 'a1')).toBe(false);
  await jest.advanceTimersByTimeAsync(1);
  expect(table.writes).toHaveLength(1);
  expect(table.writes[0]).toHaveLength(3);
  expect(publisher.written('p1|calendar', 'a1')).toBe(true);
  expect(publisher.written('p2|calendar', 'b1')).toBe(true);
  expect(publisher.pending).toBe(0);
});

test('a full transaction is written at once, without waiting for the delay', async () => {
  jest.useFakeTimers();
  const table = new Table();
  const publisher = new AuditPublisher(table.write, { delayMs: 5000 });
  for (let i = 0; i < 100; i++) publisher.enqueue(`p${i}|mail`, outbox(`o${i}`, [record(`p${i}`)]));
  await jest.advanceTimersByTimeAsync(0);
  expect(table.writes).toHaveLength(1);
  expect(table.writes[0]).toHaveLength(100);
});

test('a failed write keeps its records for the next try, and the outbox stays unwritten until then', async () => {
  jest.useFakeTimers();
  const table = new Table();
  const errors: unknown[] = [];
  const publisher = new AuditPublisher(table.write, { delayMs: 1000, onError: (e) => errors.push(e) });
  table.failNext = 1;
  publisher.enqueue('p1|calendar', outbox('a1', [record()]));
  await jest.advanceTimersByTimeAsync(1000);
  expect(errors).toHaveLength(1);
  expect(publisher.written('p1|calendar', 'a1')).toBe(false);
  expect(publisher.pending).toBe(1);
  await jest.advanceTimersByTimeAsync(1000);
  expect(publisher.written('p1|calendar', 'a1')).toBe(true);
  expect(table.rows.size).toBe(1);
});

test('a commit that carries rows already written does not write them again; the new ones are written', async () => {
  const table = new Table();
  const publisher = new AuditPublisher(table.write, { delayMs: 60_000 });
  const first = [record(), record()];
  publisher.enqueue('p1|calendar', outbox('a1', first));
  await publisher.flush();
  const next = record();
  publisher.enqueue('p1|calendar', outbox('a2', [...first, next]));
  expect(publisher.written('p1|calendar', 'a2')).toBe(false);
  await publisher.flush();
  expect(table.writes.map((w) => w.map((r) => r.rowKey))).toEqual([
    first.map((r) => r.rowKey),
    [next.rowKey],
  ]);
  expect(publisher.written('p1|calendar', 'a2')).toBe(true);
});

test('an outbox read from the state row is written again only when this process was not given it', async () => {
  const table = new Table();
  const publisher = new AuditPublisher(table.write, { delayMs: 60_000 });
  const mine = outbox('a1', [record()]);
  publisher.enqueue('p1|calendar', mine);
  await publisher.flush();
  publisher.recover('p1|calendar', mine);
  await publisher.flush();
  expect(table.writes).toHaveLength(1);

  const leftByACrash = outbox('b7', [record('p2'), record('p2')]);
  expect(publisher.knows('p2|calendar', 'b7')).toBe(false);
  publisher.recover('p2|calendar', leftByACrash);
  publisher.recover('p2|calendar', undefined);
  await publisher.flush();
  expect(table.writes).toHaveLength(2);
  expect(table.writes[1].map((r) => r.rowKey)).toEqual(leftByACrash.records.map((r) => r.rowKey));
  expect(publisher.written('p2|calendar', 'b7')).toBe(true);
});

test('past its limit it drops the oldest waiting records and forgets their owner, so the next commit carries them', () => {
  const publisher = new AuditPublisher(new Table().write, { delayMs: 60_000, maxPending: 2 });
  publisher.enqueue('p1|calendar', outbox('a1', [record('p1')]));
  publisher.enqueue('p2|calendar', outbox('b1', [record('p2')]));
  publisher.enqueue('p3|calendar', outbox('c1', [record('p3')]));
  expect(publisher.pending).toBe(2);
  expect(publisher.knows('p1|calendar', 'a1')).toBe(false);
  expect(publisher.written('p1|calendar', 'a1')).toBe(false);
  expect(publisher.knows('p3|calendar', 'c1')).toBe(true);
});

test('it forgets only outboxes already written when it remembers too many', async () => {
  const table = new Table();
  const publisher = new AuditPublisher(table.write, { delayMs: 60_000, maxOwners: 2 });
  publisher.enqueue('p1|calendar', outbox('a1', [record('p1')]));
  await publisher.flush();
  publisher.enqueue('p2|calendar', outbox('b1', [record('p2')]));
  publisher.enqueue('p3|calendar', outbox('c1', [record('p3')]));
  expect(publisher.knows('p1|calendar', 'a1')).toBe(false);
  expect(publisher.knows('p2|calendar', 'b1')).toBe(true);
  publisher.enqueue('p4|calendar', outbox('d1', [record('p4')]));
  // Nothing written is left to forget: the waiting ones stay known until they are written.
  expect(publisher.knows('p2|calendar', 'b1')).toBe(true);
  expect(publisher.knows('p3|calendar', 'c1')).toBe(true);
  await publisher.flush();
  expect(table.rows.size).toBe(4);
});
