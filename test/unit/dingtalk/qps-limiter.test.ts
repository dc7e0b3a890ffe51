import fc from 'fast-check';
import { QpsLimiter } from '../../../shared/connectors/dingtalk/qps-limiter';
import { ManualClock } from '../../../shared/platform/clock';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('PROPERTY_RUNS', 100));

/** A limiter on a manual clock whose sleep moves the clock, recording when each call was let through. */
function limiterOnManualTime(limit = 20, windowMs = 1000) {
  const clock = new ManualClock(0);
  const sleeps: number[] = [];
  const limiter = new QpsLimiter({
    limit,
    windowMs,
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
  });
  const starts: number[] = [];
  const call = async (api: string) => {
    const release = await limiter.acquire(api);
    starts.push(clock.now());
    release();
  };
  return { clock, limiter, call, starts, sleeps };
}

describe('QPS limiter', () => {
  test('lets 20 calls to one API start at once and holds the 21st until the first leaves the window', async () => {
    const { call, starts } = limiterOnManualTime();
    for (let i = 0; i < 21; i++) await call('GET /events');
    expect(starts.slice(0, 20).every((t) => t === 0)).toBe(true);
    expect(starts[20]).toBe(1000);
  });

  test('each API has its own allowance', async () => {
    const { call, starts } = limiterOnManualTime();
    for (let i = 0; i < 20; i++) await call('GET /events');
    for (let i = 0; i < 20; i++) await call('POST /topapi/v2/user/list');
    expect(starts.every((t) => t === 0)).toBe(true);
  });

  test('property: no window ever holds more than the limit, however calls arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom('a', 'b')), { maxLength: 120 }),
        fc.integer({ min: 1, max: 25 }),
        async (arrivals, limit) => {
          const { clock, limiter } = limiterOnManualTime(limit, 1000);
          const startsByApi = new Map<string, number[]>();
          for (const [gap, api] of arrivals) {
            clock.advance(gap);
            (await limiter.acquire(api))();
            startsByApi.set(api, [...(startsByApi.get(api) ?? []), clock.now()]);
          }
          for (const starts of startsByApi.values()) {
            for (let i = limit; i < starts.length; i++)
              expect(starts[i]! - starts[i - limit]!).toBeGreaterThanOrEqual(1000);
          }
        },
      ),
      RUNS,
    );
  });

  test('a slot is held while its call is in flight and for a window after the answer', async () => {
    const { clock, limiter } = limiterOnManualTime(2, 1000);
    const first = await limiter.acquire('x');
    const second = await limiter.acquire('x');
    let admittedAt: number | undefined;
    const pending = limiter.acquire('x').then((release) => {
      admittedAt = clock.now();
      return release;
    });
    clock.advance(5000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(admittedAt).toBeUndefined();
    first();
    (await pending)();
    expect(admittedAt).toBe(6000);
    second();
  });
});
