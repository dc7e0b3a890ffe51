import { freshStores } from './store-fixture';

const { stores } = freshStores();
const jobs = stores.jobs;
const T0 = Date.parse('2026-11-22T08:00:00Z');
const LEASE = 10 * 60_000;

describe('TableJobStore', () => {
  test('a job without a row is leased, completed with its time and progress, and read back', async () => {
    expect((await jobs.readAll()).get('sweep')).toBeUndefined();
    const leased = await jobs.acquire('sweep', undefined, 'run-1', LEASE, T0);
    expect(leased).toMatchObject({ name: 'sweep', leaseOwner: 'run-1', leaseUntil: T0 + LEASE });
    await jobs.complete(leased!, T0, '{"outlook":5}');
    expect((await jobs.readAll()).get('sweep')).toMatchObject({
      lastRunAt: T0,
      requested: false,
      leaseOwner: undefined,
      leaseUntil: undefined,
      progress: '{"outlook":5}',
    });
  });

  test('of two runs that read the same row, only one takes the lease; a live lease is respected until it expires', async () => {
    const read = (await jobs.readAll()).get('race');
    const [a, b] = await Promise.all([
      jobs.acquire('race', read, 'run-a', LEASE, T0),
      jobs.acquire('race', read, 'run-b', LEASE, T0),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);

    const held = (await jobs.readAll()).get('race');
    expect(await jobs.acquire('race', held, 'run-c', LEASE, T0 + 60_000)).toBeUndefined();
    expect(await jobs.acquire('race', held, 'run-c', LEASE, T0 + LEASE + 1)).toMatchObject({
      leaseOwner: 'run-c',
    });
  });

  test('a request is one blind merge, cleared by taking the lease, and one made during a run survives its completion', async () => {
    await jobs.request('pairing');
    const requested = (await jobs.readAll()).get('pairing');
    expect(requested).toMatchObject({ requested: true, lastRunAt: undefined });

    const leased = await jobs.acquire('pairing', requested, 'run-1', LEASE, T0);
    expect((await jobs.readAll()).get('pairing')?.requested).toBe(false);

    // A directory callback asks again while the run works: the run's completion must not swallow it.
    await jobs.request('pairing');
    await jobs.complete(leased!, T0);
    expect((await jobs.readAll()).get('pairing')).toMatchObject({
      requested: true,
      lastRunAt: T0,
      leaseOwner: undefined,
    });
  });

  test('a request arriving between the read and the lease makes that acquire step aside, and the request stays', async () => {
    const read = (await jobs.readAll()).get('retention');
    await jobs.request('retention');
    expect(await jobs.acquire('retention', read, 'run-1', LEASE, T0)).toBeUndefined();
    expect((await jobs.readAll()).get('retention')?.requested).toBe(true);
  });

  test('release after a failure records no run and can put the request back', async () => {
    await jobs.request('failing');
    const read = (await jobs.readAll()).get('failing');
    const leased = await jobs.acquire('failing', read, 'run-1', LEASE, T0);
    await jobs.release(leased!, true);
    expect((await jobs.readAll()).get('failing')).toMatchObject({
      requested: true,
      lastRunAt: undefined,
      leaseOwner: undefined,
    });
  });

  test('a run whose lease was taken over after it expired does not touch the new holder', async () => {
    const first = await jobs.acquire('slow', undefined, 'run-1', LEASE, T0);
    const expired = (await jobs.readAll()).get('slow');
    const second = await jobs.acquire('slow', expired, 'run-2', LEASE, T0 + LEASE + 1);
    expect(second).toBeDefined();
    await jobs.complete(first!, T0);
    expect((await jobs.readAll()).get('slow')).toMatchObject({ leaseOwner: 'run-2', lastRunAt: undefined });
  });
});
