import { backoffDelay, withRetry, type RetryPolicy } from '../../../shared/connectors/graph/retry-policy';

const policy: RetryPolicy = { maxAttempts: 3, maxTotalWaitMs: 10_000, baseDelayMs: 500, maxDelayMs: 8000 };

function failing(times: number, error: unknown = new Error('busy')) {
  let calls = 0;
  const op = async () => {
    calls++;
    if (calls <= times) throw error;
    return 'ok';
  };
  return { op, calls: () => calls };
}

describe('retry policy', () => {
  test('retries a retryable failure after the delay the service asked for', async () => {
    const waits: number[] = [];
    const f = failing(2);
    const result = await withRetry(f.op, () => ({ retryable: true, retryAfterMs: 1200 }), policy, {
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result).toBe('ok');
    expect(f.calls()).toBe(3);
    expect(waits).toEqual([1200, 1200]);
  });

  test('stops after maxAttempts and rethrows the last error', async () => {
    const f = failing(5);
    await expect(
      withRetry(f.op, () => ({ retryable: true, retryAfterMs: 1 }), policy, { sleep: async () => undefined }),
    ).rejects.toThrow('busy');
    expect(f.calls()).toBe(3);
  });

  test('never waits past maxTotalWaitMs: a long Retry-After goes straight back to the caller', async () => {
    const waits: number[] = [];
    const f = failing(1);
    await expect(
      withRetry(f.op, () => ({ retryable: true, retryAfterMs: 120_000 }), policy, {
        sleep: async (ms) => void waits.push(ms),
      }),
    ).rejects.toThrow('busy');
    expect(f.calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  test('does not retry what is not retryable', async () => {
    const f = failing(1);
    await expect(
      withRetry(f.op, () => ({ retryable: false }), policy, { sleep: async () => undefined }),
    ).rejects.toThrow();
    expect(f.calls()).toBe(1);
  });

  test('without Retry-After the backoff grows exponentially, jittered within [half, full], capped', () => {
    expect(backoffDelay(policy, 1, () => 0)).toBe(250);
    expect(backoffDelay(policy, 1, () => 1)).toBe(500);
    expect(backoffDelay(policy, 3, () => 1)).toBe(2000);
    expect(backoffDelay(policy, 10, () => 1)).toBe(8000);
  });
});
