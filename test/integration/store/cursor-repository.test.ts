import { ConcurrencyError } from '../../../shared/sync/types';
import { freshStores } from './store-fixture';

const { stores } = freshStores();
const cursors = stores.cursors;
const NOW = Date.parse('2026-11-22T08:00:00Z');
const TTL = 30_000;

describe('TableCursorRepository', () => {
  test('markDirty creates the row; acquireLease takes it and clears the flag', async () => {
    await cursors.markDirty('p1', 'calendar.outlook.calendar');
    expect(await cursors.get('p1', 'calendar.outlook.calendar')).toMatchObject({
      dirty: true,
      cursor: undefined,
    });
    const state = await cursors.acquireLease('p1', 'calendar.outlook.calendar', 'w1', TTL, NOW);
    expect(state).toMatchObject({ leaseOwner: 'w1', leaseUntil: NOW + TTL, dirty: false });
    expect(state?.etag).toBeTruthy();
    expect(await cursors.get('p1', 'calendar.outlook.calendar')).toMatchObject({
      leaseOwner: 'w1',
      dirty: false,
    });
  });

  test('a live lease keeps others out; an expired one is taken over', async () => {
    const key = 'todo.dingtalk.default';
    expect(await cursors.acquireLease('p2', key, 'w1', TTL, NOW)).toBeDefined();
    expect(await cursors.acquireLease('p2', key, 'w2', TTL, NOW + TTL - 1)).toBeUndefined();
    const taken = await cursors.acquireLease('p2', key, 'w2', TTL, NOW + TTL + 1);
    expect(taken?.leaseOwner).toBe('w2');
  });

  test('the full cycle: save cursor, release, the next pull sees the cursor', async () => {
    const key = 'mail.outlook.AAMkAD/inbox=';
    const lease = (await cursors.acquireLease('p3', key, 'w1', TTL, NOW))!;
    const saved = await cursors.saveCursor({ ...lease, cursor: 'https://graph/delta?$deltatoken=abc' });
    expect(saved.cursor).toBe('https://graph/delta?$deltatoken=abc');
    expect(await cursors.releaseLease(saved)).toBe(false);
    const after = await cursors.get('p3', key);
    expect(after).toMatchObject({
      cursor: 'https://graph/delta?$deltatoken=abc',
      leaseOwner: undefined,
      dirty: false,
    });
    expect(after?.lastSyncedAt).toBeTruthy();
    expect(await cursors.acquireLease('p3', key, 'w2', TTL, NOW)).toMatchObject({ cursor: saved.cursor });
  });

  test('a hint during the pull does not break the lease holder, and release reports it', async () => {
    const key = 'calendar.dingtalk.primary';
    const lease = (await cursors.acquireLease('p4', key, 'w1', TTL, NOW))!;
    await cursors.markDirty('p4', key);
    const saved = await cursors.saveCursor({ ...lease, cursor: 'sync-token-2' });
    expect(saved.dirty).toBe(true);
    expect(await cursors.releaseLease(saved, 'boom')).toBe(true);
    expect(await cursors.get('p4', key)).toMatchObject({
      dirty: true,
      lastError: 'boom',
      cursor: 'sync-token-2',
    });
  });

  test('a hint arriving between save and release is reported by release', async () => {
    const key = 'contact.outlook.folder1';
    const lease = (await cursors.acquireLease('p5', key, 'w1', TTL, NOW))!;
    const saved = await cursors.saveCursor({ ...lease, cursor: 'c1' });
    await cursors.markDirty('p5', key);
    expect(await cursors.releaseLease(saved)).toBe(true);
  });

  test('after losing the lease, saveCursor throws ConcurrencyError and the cursor is untouched', async () => {
    const key = 'calendar.outlook.calendar';
    const stale = (await cursors.acquireLease('p6', key, 'w1', TTL, NOW))!;
    await cursors.acquireLease('p6', key, 'w2', TTL, NOW + TTL + 1);
    await expect(cursors.saveCursor({ ...stale, cursor: 'from-w1' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await cursors.releaseLease(stale)).toBe(false);
    expect(await cursors.get('p6', key)).toMatchObject({ leaseOwner: 'w2', cursor: undefined });
  });

  test('of 20 concurrent acquirers exactly one gets the lease, on a new row and on an existing one', async () => {
    const race = (pairId: string) =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          cursors.acquireLease(pairId, 'mail.dingtalk.INBOX', `w${i}`, TTL, NOW),
        ),
      );
    const fresh = await race('p7');
    expect(fresh.filter(Boolean)).toHaveLength(1);

    await cursors.markDirty('p8', 'mail.dingtalk.INBOX');
    const existing = await race('p8');
    const winners = existing.filter(Boolean);
    expect(winners).toHaveLength(1);
    expect((await cursors.get('p8', 'mail.dingtalk.INBOX'))?.leaseOwner).toBe(winners[0]!.leaseOwner);
  });

  test('concurrent hints during a lease race still leave exactly one lease holder', async () => {
    await cursors.markDirty('p9', 'todo.outlook.list');
    const acquirers = Array.from({ length: 10 }, (_, i) =>
      cursors.acquireLease('p9', 'todo.outlook.list', `w${i}`, TTL, NOW),
    );
    // Fewer hints than retry attempts: every failed attempt needs a write in between, so no acquirer can run out.
    const hints = Array.from({ length: 5 }, () => cursors.markDirty('p9', 'todo.outlook.list'));
    const [results] = await Promise.all([Promise.all(acquirers), Promise.all(hints)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  test('listAll returns every row, with its cursor', async () => {
    const lease = (await cursors.acquireLease('p10', 'calendar.outlook.calendar', 'w1', TTL, NOW))!;
    await cursors.releaseLease(await cursors.saveCursor({ ...lease, cursor: 'delta-1' }));
    const all = await cursors.listAll();
    expect(all.find((c) => c.pairId === 'p10' && c.key === 'calendar.outlook.calendar')?.cursor).toBe(
      'delta-1',
    );
    expect(all.length).toBeGreaterThanOrEqual(10);
  });
});
