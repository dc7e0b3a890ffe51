import fc from 'fast-check';
import { HintGroupCommit, hintedItems, joinHints } from '../../../shared/app/pipeline/hint-group-commit';
import type { WorkItem } from '../../../shared/store/types';
import { MAX_HINT_ITEMS, parseWorkItem } from '../../../shared/store/work-item';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const hint = (itemId: string | undefined, hintedAt: number, extra: Partial<WorkItem> = {}): WorkItem => ({
  pairId: 'p1',
  kind: 'calendar',
  side: 'dingtalk',
  folder: 'primary',
  reason: 'callback',
  hintedAt,
  ...(itemId ? { itemId, version: `v-${itemId}` } : {}),
  ...extra,
});

/** A queue whose sends finish when the test says so. */
class ManualQueue {
  readonly sent: Array<{ work: WorkItem; done: boolean; stored?: boolean; finish: (err?: Error) => void }> =
    [];
  send = (work: WorkItem): Promise<void> =>
    new Promise((resolve, reject) => {
      const entry = {
        work,
        done: false,
        stored: undefined as boolean | undefined,
        finish: (err?: Error) => {
          entry.stored = !err;
          if (err) reject(err);
          else resolve();
        },
      };
      this.sent.push(entry);
    });
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('hint group commit', () => {
  test('hints that arrive while one is being sent share the next message, sent after it is stored', async () => {
    const queue = new ManualQueue();
    const group = new HintGroupCommit(queue.send, 60_000);
    const settled: string[] = [];
    const track = (name: string, p: Promise<void>) => p.then(() => settled.push(name));

    const a = track('a', group.record(hint('e1', 1)));
    const b = track('b', group.record(hint('e2', 2)));
    const c = track('c', group.record(hint('e3', 3)));
    await flush();
    // Only the first is on its way; b and c wait: a message already sent cannot carry them.
    expect(queue.sent.map((s) => s.work.itemId)).toEqual(['e1']);
    expect(settled).toEqual([]);

    queue.sent[0].finish();
    await flush();
    expect(settled).toEqual(['a']);
    expect(queue.sent).toHaveLength(2);
    expect(queue.sent[1].work).toEqual({
      ...hint('e2', 3),
      moreItems: [{ itemId: 'e3', version: 'v-e3' }],
    });
    // Joined hints are answered only when their message is stored.
    const d = track('d', group.record(hint('e4', 4)));
    queue.sent[1].finish();
    await Promise.all([a, b, c]);
    expect(settled).toEqual(['a', 'b', 'c']);
    await flush();
    expect(queue.sent[2].work.itemId).toBe('e4');
    queue.sent[2].finish();
    await d;
    expect(group.busyFolders).toBe(0);
  });

  test('a failed message fails exactly the hints it carried, and the next message still goes out', async () => {
    const queue = new ManualQueue();
    const group = new HintGroupCommit(queue.send, 60_000);
    const first = group.record(hint('e1', 1));
    const joined = group.record(hint('e2', 2));
    await flush();
    queue.sent[0].finish(new Error('queue unavailable'));
    await expect(first).rejects.toThrow('queue unavailable');
    await flush();
    queue.sent[1].finish();
    await expect(joined).resolves.toBeUndefined();
    expect(group.busyFolders).toBe(0);
  });

  test('hints that waited too long for a slow message go out beside it, and are answered by their own', async () => {
    const queue = new ManualQueue();
    const group = new HintGroupCommit(queue.send, 20);
    const first = group.record(hint('e1', 1));
    let joinedDone = false;
    const joined = group.record(hint('e2', 2)).then(() => (joinedDone = true));
    await flush();
    expect(queue.sent).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(queue.sent.map((m) => m.work.itemId)).toEqual(['e1', 'e2']);
    queue.sent[1].finish();
    await joined;
    expect(joinedDone).toBe(true);
    queue.sent[0].finish();
    await first;
    expect(group.busyFolders).toBe(0);
  });

  test('other folders, sides, reasons and work that is not a push are never joined', async () => {
    const queue = new ManualQueue();
    const group = new HintGroupCommit(queue.send, 60_000);
    const all = [
      group.record(hint('e1', 1)),
      group.record(hint('e2', 1, { pairId: 'p2' })),
      group.record(hint('e3', 1, { side: 'outlook', folder: 'calendar', reason: 'notification' })),
      group.record(hint(undefined, 1, { reason: 'poll' })),
      group.record(hint(undefined, 1, { reason: 'poll' })),
      group.record(hint(undefined, 1, { reason: 'callback', resync: true })),
    ];
    await flush();
    expect(queue.sent).toHaveLength(6);
    queue.sent.forEach((s) => s.finish());
    await Promise.all(all);
  });

  test('a joined message names every item while each hint names one and they fit; otherwise none', () => {
    const joined = joinHints([hint('e1', 5), hint('e2', 9, { deleted: true }), hint('e1', 7)]);
    expect(joined.hintedAt).toBe(9);
    expect(hintedItems(joined)).toEqual([
      { itemId: 'e1', version: 'v-e1' },
      { itemId: 'e2', version: 'v-e2', deleted: true },
      { itemId: 'e1', version: 'v-e1' },
    ]);
    expect(parseWorkItem(JSON.parse(JSON.stringify(joined)))).toEqual(joined);

    const withPlain = joinHints([hint('e1', 5), hint(undefined, 6)]);
    expect(hintedItems(withPlain)).toEqual([]);
    expect(withPlain).toEqual({ ...hint(undefined, 6) });

    const many = Array.from({ length: MAX_HINT_ITEMS + 1 }, (_, i) => hint(`e${i}`, i));
    expect(hintedItems(joinHints(many))).toEqual([]);
    expect(hintedItems(joinHints(many.slice(0, MAX_HINT_ITEMS)))).toHaveLength(MAX_HINT_ITEMS);
  });

  test('the queue refuses a message naming more items than a hint may carry', () => {
    const tooMany = {
      ...hint('e0', 1),
      moreItems: Array.from({ length: MAX_HINT_ITEMS }, (_, i) => ({ itemId: `e${i + 1}` })),
    };
    expect(() => parseWorkItem(tooMany)).toThrow(/moreItems/);
  });

  test.each([
    ['after the message before them', 60_000],
    ['beside it once they waited too long', 0],
  ])(
    'property: every hint is answered only after a message sent after it arrived, naming it or naming none (joined hints go out %s)',
    async (_how, maxWaitMs) => {
      // Random arrivals of hints on three folders, interleaved with the completion (or failure) of sends in any order.
      const step = fc.oneof(
        fc.record({ t: fc.constant('arrive' as const), folder: fc.nat(2), named: fc.boolean() }),
        fc.record({ t: fc.constant('finish' as const), pick: fc.nat(), fail: fc.boolean() }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
          const queue = new ManualQueue();
          const group = new HintGroupCommit(queue.send, maxWaitMs);
          const pending = () => queue.sent.filter((s) => !s.done);
          const finishOne = async (pick: number, fail: boolean) => {
            const open = pending();
            const chosen = open[pick % open.length];
            chosen.done = true;
            chosen.finish(fail ? new Error('refused') : undefined);
            await flush();
          };
          const hints: Array<{ work: WorkItem; sentBefore: number; outcome?: 'ok' | 'failed' }> = [];
          /** The messages sent after a hint arrived that carry it: for its folder, naming it or naming none. */
          const carriersOf = (h: (typeof hints)[number]) =>
            queue.sent
              .slice(h.sentBefore)
              .filter((m) => m.work.pairId === h.work.pairId)
              .filter((m) => {
                const items = hintedItems(m.work).map((i) => i.itemId);
                return items.length === 0 || (h.work.itemId !== undefined && items.includes(h.work.itemId));
              });
          const early: string[] = [];
          let clock = 0;
          for (const s of steps) {
            if (s.t === 'arrive') {
              clock += 1;
              const work = hint(s.named ? `e${clock}` : undefined, clock, { pairId: `p${s.folder}` });
              const entry: (typeof hints)[number] = { work, sentBefore: queue.sent.length };
              hints.push(entry);
              group.record(work).then(
                () => {
                  entry.outcome = 'ok';
                  // Answered: a message carrying it must be stored by now.
                  if (!carriersOf(entry).some((m) => m.stored === true))
                    early.push(`${work.pairId}@${clock}`);
                },
                () => (entry.outcome = 'failed'),
              );
              await flush();
            } else if (pending().length > 0) {
              await finishOne(s.pick, s.fail);
            }
            // Without the wait running out, one message per folder on its way at a time.
            const folders = pending().map((m) => m.work.pairId);
            if (maxWaitMs > 0) expect(new Set(folders).size).toBe(folders.length);
          }
          while (pending().length > 0 || group.busyFolders > 0) {
            if (pending().length > 0) await finishOne(0, false);
            else await new Promise((resolve) => setTimeout(resolve, 1));
          }
          expect(early).toEqual([]);
          for (const h of hints) {
            expect(h.outcome).toBeDefined();
            const carriers = carriersOf(h);
            expect(carriers.length).toBeGreaterThan(0);
            expect(Math.max(...carriers.map((m) => m.work.hintedAt ?? 0))).toBeGreaterThanOrEqual(
              h.work.hintedAt!,
            );
          }
          expect(group.busyFolders).toBe(0);
          expect(queue.sent.length).toBeLessThanOrEqual(hints.length);
        }),
        fastCheckRuns(runsFrom('PROPERTY_RUNS', 200)),
      );
    },
  );
});
