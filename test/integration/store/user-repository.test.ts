import { ConcurrencyError } from '../../../shared/sync/types';
import { AlreadyExistsError } from '../../../shared/store/errors';
import type { UserPair } from '../../../shared/store/types';
import { SWEEP_SLOTS, sweepSlotOf } from '../../../shared/store/user-repository';
import { freshStores, rawTable } from './store-fixture';

const { stores } = freshStores();
const users = stores.users;

const pair = (pairId: string, overrides: Partial<UserPair> = {}): UserPair => ({
  pairId,
  dingtalkUserId: `dt-${pairId}`,
  dingtalkUnionId: `union-${pairId}`,
  // The pair id is the Entra object id (shared/sync/pairing.ts); findByEntraId relies on it.
  entraId: pairId,
  userPrincipalName: `${pairId}@contoso.com`,
  email: `${pairId}@contoso.com`,
  status: 'active',
  enabledKinds: ['calendar', 'todo'],
  pairedBy: 'email',
  ...overrides,
});

describe('TableUserRepository', () => {
  test('save inserts, get and every lookup find the pair with its etag', async () => {
    const saved = await users.save(pair('alice'));
    expect(saved.etag).toBeTruthy();
    const got = await users.get('alice');
    expect(got).toEqual({ ...pair('alice'), etag: saved.etag });
    expect((await users.findByDingtalkUserId('dt-alice'))?.pairId).toBe('alice');
    expect((await users.findByUnionId('union-alice'))?.pairId).toBe('alice');
    expect((await users.findByEntraId('alice'))?.etag).toBe(saved.etag);
    expect(await users.findByEntraId('nobody')).toBeUndefined();
    expect(await users.get('nobody')).toBeUndefined();
  });

  test('ids with characters keys forbid are stored and found', async () => {
    const odd = pair('pair/with#odd?chars\\x', {
      dingtalkUserId: 'user|with%pipe',
      dingtalkUnionId: 'u/n#i?on',
    });
    await users.save(odd);
    expect((await users.get('pair/with#odd?chars\\x'))?.entraId).toBe('pair/with#odd?chars\\x');
    expect((await users.findByEntraId('pair/with#odd?chars\\x'))?.pairId).toBe('pair/with#odd?chars\\x');
    expect((await users.findByUnionId('u/n#i?on'))?.pairId).toBe('pair/with#odd?chars\\x');
    expect((await users.findByDingtalkUserId('user|with%pipe'))?.pairId).toBe('pair/with#odd?chars\\x');
  });

  test('update with the current etag succeeds; with a stale etag throws ConcurrencyError', async () => {
    const first = await users.save(pair('bob'));
    const second = await users.save({ ...first, status: 'disabled' });
    expect(second.etag).not.toBe(first.etag);
    await expect(users.save({ ...first, status: 'left' })).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await users.get('bob'))?.status).toBe('disabled');
  });

  test('inserting a pair that exists throws AlreadyExistsError (a ConcurrencyError)', async () => {
    await users.save(pair('carol'));
    const err = await users.save(pair('carol')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect(err).toBeInstanceOf(ConcurrencyError);
  });

  test('a failed save is not found by its new id (the lookup checks the pair it reaches)', async () => {
    const saved = await users.save(pair('dave'));
    await users.save({ ...saved, status: 'disabled' });
    await expect(users.save({ ...saved, dingtalkUnionId: 'union-new-dave' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await users.findByUnionId('union-new-dave')).toBeUndefined();
    expect((await users.findByUnionId('union-dave'))?.status).toBe('disabled');
  });

  test('after an id changes, the old id no longer finds the pair', async () => {
    const saved = await users.save(pair('erin'));
    await users.save({ ...saved, dingtalkUnionId: 'union-erin-2' });
    expect(await users.findByUnionId('union-erin')).toBeUndefined();
    expect((await users.findByUnionId('union-erin-2'))?.pairId).toBe('erin');
  });

  test('list returns pair rows only, not index rows', async () => {
    const all = await users.list();
    const ids = all.map((p) => p.pairId);
    expect(ids).toEqual(
      expect.arrayContaining(['alice', 'bob', 'carol', 'dave', 'erin', 'pair/with#odd?chars\\x']),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.every((p) => Array.isArray(p.enabledKinds))).toBe(true);
  });
});

describe('TableUserRepository at scale', () => {
  const { stores: big, prefix } = freshStores();
  const many = Array.from({ length: 1_000 }, (_, i) => pair(`pair-${i}`));

  test('saveMany writes a thousand pairs in batches over many partitions; every one is found by each id', async () => {
    const { saved, failed } = await big.users.saveMany(many);
    expect(failed).toEqual([]);
    expect(saved).toHaveLength(1_000);
    expect(saved.every((p) => typeof p.etag === 'string' && p.etag.length > 0)).toBe(true);
    for (const id of ['pair-0', 'pair-517', 'pair-999']) {
      expect((await big.users.get(id))?.pairId).toBe(id);
      expect((await big.users.findByUnionId(`union-${id}`))?.pairId).toBe(id);
      expect((await big.users.findByDingtalkUserId(`dt-${id}`))?.pairId).toBe(id);
    }
    const partitions = new Set<string>();
    for await (const row of rawTable(`${prefix}users`).listEntities({
      queryOptions: { select: ['PartitionKey'] },
    }))
      partitions.add(row.partitionKey!);
    // Pair rows over the 14 slot partitions, index rows over their own buckets: no single hot partition.
    expect([...partitions].filter((p) => p.startsWith('pair|')).length).toBe(14);
    expect([...partitions].filter((p) => p.startsWith('index|')).length).toBeGreaterThan(50);
  });

  test('saveMany with one stale pair saves the others and reports that one', async () => {
    const current = await big.users.list();
    const stale = {
      ...current.find((p) => p.pairId === 'pair-3')!,
      etag: 'W/"datetime\'2000-01-01T00%3A00%3A00.000Z\'"',
    };
    const others = current.filter((p) => p.pairId !== 'pair-3').slice(0, 150);
    const { saved, failed } = await big.users.saveMany([
      stale,
      ...others.map((p) => ({ ...p, status: 'disabled' as const })),
    ]);
    expect(failed.map((f) => f.pair.pairId)).toEqual(['pair-3']);
    expect(saved).toHaveLength(150);
    expect((await big.users.get(others[0].pairId))?.status).toBe('disabled');
    expect((await big.users.get('pair-3'))?.status).toBe('active');
  });

  test('listSlots returns exactly the pairs whose slot is in the range, and list returns every pair once', async () => {
    const bySlot = new Map(many.map((p) => [p.pairId, sweepSlotOf(p.pairId)]));
    for (const [from, to] of [
      [0, 120],
      [100, 400],
      [5_000, 5_001],
      [9_000, SWEEP_SLOTS],
    ] as const) {
      const got = (await big.users.listSlots(from, to)).map((p) => p.pairId).sort();
      const want = many
        .filter((p) => bySlot.get(p.pairId)! >= from && bySlot.get(p.pairId)! < to)
        .map((p) => p.pairId)
        .sort();
      expect(got).toEqual(want);
    }
    expect(await big.users.listSlots(10, 10)).toEqual([]);
    const all = await big.users.list();
    expect(all).toHaveLength(1_000);
    expect(new Set(all.map((p) => p.pairId)).size).toBe(1_000);
  });
});
