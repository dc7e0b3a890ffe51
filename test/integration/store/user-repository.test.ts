import { ConcurrencyError } from '../../../shared/sync/types';
import { AlreadyExistsError } from '../../../shared/store/errors';
import type { UserPair } from '../../../shared/store/types';
import { freshStores } from './store-fixture';

const { stores } = freshStores();
const users = stores.users;

const pair = (pairId: string, overrides: Partial<UserPair> = {}): UserPair => ({
  pairId,
  dingtalkUserId: `dt-${pairId}`,
  dingtalkUnionId: `union-${pairId}`,
  entraId: `entra-${pairId}`,
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
    expect((await users.findByEntraId('entra-alice'))?.etag).toBe(saved.etag);
    expect(await users.findByEntraId('entra-nobody')).toBeUndefined();
    expect(await users.get('nobody')).toBeUndefined();
  });

  test('ids with characters keys forbid are stored and found', async () => {
    const odd = pair('pair/with#odd?chars', { entraId: 'entra/id\\x', dingtalkUserId: 'user|with%pipe' });
    await users.save(odd);
    expect((await users.get('pair/with#odd?chars'))?.entraId).toBe('entra/id\\x');
    expect((await users.findByEntraId('entra/id\\x'))?.pairId).toBe('pair/with#odd?chars');
    expect((await users.findByDingtalkUserId('user|with%pipe'))?.pairId).toBe('pair/with#odd?chars');
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

  test('a failed save leaves no index row behind (one atomic transaction)', async () => {
    const saved = await users.save(pair('dave'));
    await users.save({ ...saved, status: 'disabled' });
    await expect(users.save({ ...saved, entraId: 'entra-new-dave' })).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await users.findByEntraId('entra-new-dave')).toBeUndefined();
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
      expect.arrayContaining(['alice', 'bob', 'carol', 'dave', 'erin', 'pair/with#odd?chars']),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(all.every((p) => Array.isArray(p.enabledKinds))).toBe(true);
  });
});
