import { ManualClock } from '../../../shared/platform/clock';
import { TtlCache } from '../../../shared/app/ttl-cache';

describe('TtlCache', () => {
  test('serves a value for its lifetime, then loads again', async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<number>(60_000, 10, () => clock.now());
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    clock.advance(59_999);
    expect(await cache.get('a', load)).toBe(1);
    clock.advance(1);
    expect(await cache.get('a', load)).toBe(2);
  });

  test('caches misses too, and stays within its size by dropping the oldest entry', async () => {
    const clock = new ManualClock();
    const cache = new TtlCache<string | undefined>(60_000, 2, () => clock.now());
    let loads = 0;
    const miss = async () => (loads++, undefined);
    await cache.get('x', miss);
    await cache.get('x', miss);
    expect(loads).toBe(1);
    await cache.get('y', miss);
    await cache.get('z', miss);
    await cache.get('x', miss);
    expect(loads).toBe(4);
  });
});

test('a miss is kept only for its own, shorter time, so a row created meanwhile is found soon', async () => {
  let now = 0;
  const cache = new TtlCache<string | undefined>(600_000, 10, () => now, 60_000);
  let stored: string | undefined;
  const load = async () => stored;
  expect(await cache.get('k', load)).toBeUndefined();
  stored = 'pair';
  now = 59_000;
  expect(await cache.get('k', load)).toBeUndefined();
  now = 61_000;
  expect(await cache.get('k', load)).toBe('pair');
  stored = 'changed';
  now = 600_000;
  expect(await cache.get('k', load)).toBe('pair');
});

test('concurrent misses of one key share one load (a burst of webhooks for one person reads once)', async () => {
  const cache = new TtlCache<string>(60_000, 10, () => 0);
  let loads = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const load = async () => {
    loads++;
    await gate;
    return 'pair';
  };
  const all = Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
  release();
  expect(await all).toEqual(Array(20).fill('pair'));
  expect(loads).toBe(1);
});

test('a failed load is not kept: the next caller loads again', async () => {
  const cache = new TtlCache<string>(60_000, 10, () => 0);
  await expect(cache.get('k', () => Promise.reject(new Error('storage down')))).rejects.toThrow(
    'storage down',
  );
  expect(await cache.get('k', async () => 'pair')).toBe('pair');
});
