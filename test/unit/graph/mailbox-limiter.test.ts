import fc from 'fast-check';
import { MailboxLimiter } from '../../../shared/connectors/graph/mailbox-limiter';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const tick = () => new Promise((r) => setImmediate(r));

describe('per-mailbox limiter', () => {
  test('never runs more than the limit per mailbox, runs mailboxes independently, keeps arrival order', async () => {
    const limiter = new MailboxLimiter(4);
    const inFlight = new Map<string, number>();
    const peak = new Map<string, number>();
    const started: number[] = [];
    const task = (mailbox: string, n: number) =>
      limiter.run(mailbox, async () => {
        started.push(n);
        inFlight.set(mailbox, (inFlight.get(mailbox) ?? 0) + 1);
        peak.set(mailbox, Math.max(peak.get(mailbox) ?? 0, inFlight.get(mailbox)!));
        await new Promise((r) => setTimeout(r, 5));
        inFlight.set(mailbox, inFlight.get(mailbox)! - 1);
        return n;
      });
    const a = Array.from({ length: 12 }, (_, i) => task('a', i));
    const b = Array.from({ length: 3 }, (_, i) => task('b', 100 + i));
    await tick();
    expect(limiter.inFlight('a')).toBe(4);
    expect(limiter.inFlight('b')).toBe(3);
    expect(await Promise.all(a)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    await Promise.all(b);
    expect(peak.get('a')).toBe(4);
    expect(started.filter((n) => n < 100)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(limiter.inFlight('a')).toBe(0);
  });

  test('a failing task frees its slot', async () => {
    const limiter = new MailboxLimiter(1);
    await expect(limiter.run('m', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run('m', async () => 'next')).toBe('next');
  });

  test('property: for any burst and limit, the in-flight count never exceeds the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 30 }),
        async (limit, delays) => {
          const limiter = new MailboxLimiter(limit);
          let current = 0;
          let peak = 0;
          await Promise.all(
            delays.map((d) =>
              limiter.run('m', async () => {
                peak = Math.max(peak, ++current);
                await new Promise((r) => setTimeout(r, d));
                current--;
              }),
            ),
          );
          expect(peak).toBeLessThanOrEqual(limit);
        },
      ),
      fastCheckRuns(runsFrom('PROPERTY_RUNS', 40)),
    );
  });

  test('rejects a nonsensical limit', () => {
    expect(() => new MailboxLimiter(0)).toThrow();
  });
});
