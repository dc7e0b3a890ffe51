import { GraphApi } from '../../../shared/connectors/graph/http-client';
import { createGraphSdkClient } from '../../../shared/connectors/graph/graph-client-factory';
import { MailboxLimiter } from '../../../shared/connectors/graph/mailbox-limiter';
import { PermanentRemoteError, TransientRemoteError } from '../../../shared/sync/types';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { failureOf } from '../../support/graph/loose';

/** The project's Graph client against the fake: retries, POST safety, per-mailbox concurrency, timeouts, 401. */

let h: GraphHarness;
let eventsPath: string;
const sample = {
  subject: 'Resilience',
  start: { dateTime: '2026-11-25T09:00:00', timeZone: 'UTC' },
  end: { dateTime: '2026-11-25T10:00:00', timeZone: 'UTC' },
};

beforeEach(async () => {
  h = await startGraphHarness();
  eventsPath = `/users/${h.user.entraId}/events`;
});
afterEach(() => h.stop());

describe('Graph client resilience', () => {
  test('a GET answered 429 with Retry-After is retried after that wait and then succeeds', async () => {
    h.fake.control.addFault({ method: 'GET', path: '/events', status: 429, retryAfterSeconds: 1, count: 1 });
    const started = Date.now();
    const page = await h.connector.api.get<{ value: unknown[] }>(eventsPath, { mailbox: h.user.entraId });
    expect(page.value).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(h.fake.control.countRequests('GET', '/events')).toBe(2);
  });

  test('PATCH and DELETE are retried on 503/504 too', async () => {
    const created = await h.connector.api.post<{ id: string }>(eventsPath, sample, {
      mailbox: h.user.entraId,
    });
    h.fake.control.addFault({ method: 'PATCH', status: 503, retryAfterSeconds: 0, count: 1 });
    h.fake.control.addFault({ method: 'DELETE', status: 504, retryAfterSeconds: 0, count: 1 });
    await h.connector.api.patch(`${eventsPath}/${created.id}`, { subject: 'x' }, { mailbox: h.user.entraId });
    await h.connector.api.delete(`${eventsPath}/${created.id}`, { mailbox: h.user.entraId });
    expect(h.fake.control.countRequests('PATCH', '/events/')).toBe(2);
    expect(h.fake.control.countRequests('DELETE', '/events/')).toBe(2);
  });

  test('a POST answered 503 is sent exactly once and surfaces as a transient error', async () => {
    h.fake.control.addFault({ method: 'POST', path: '/events', status: 503, retryAfterSeconds: 2, count: 1 });
    const err = await failureOf(h.connector.api.post(eventsPath, sample, { mailbox: h.user.entraId }));
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect(err.retryAfterMs).toBe(2000);
    expect(h.fake.control.countRequests('POST', '/events')).toBe(1);
    expect(h.fake.control.listEvents(h.user.entraId)).toHaveLength(0);
  });

  test('a Retry-After longer than the wait budget goes straight back with retryAfterMs, no waiting', async () => {
    h.fake.control.addFault({ method: 'GET', status: 429, retryAfterSeconds: 120, count: 1 });
    const started = Date.now();
    const err = await failureOf(h.connector.api.get(eventsPath, { mailbox: h.user.entraId }));
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect(err.retryAfterMs).toBe(120_000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.fake.control.countRequests('GET', '/events')).toBe(1);
  });

  test('retries are bounded: a GET that keeps failing is tried 3 times', async () => {
    h.fake.control.addFault({ method: 'GET', status: 503, retryAfterSeconds: 0 });
    await expect(h.connector.api.get(eventsPath, { mailbox: h.user.entraId })).rejects.toBeInstanceOf(
      TransientRemoteError,
    );
    expect(h.fake.control.countRequests('GET', '/events')).toBe(3);
  });

  test('never more than 4 requests in flight per mailbox, measured in the fake', async () => {
    h.fake.control.addFault({ path: '/events', latencyMs: 40 });
    await Promise.all(
      Array.from({ length: 20 }, () => h.connector.api.get(eventsPath, { mailbox: h.user.entraId })),
    );
    expect(h.fake.control.mailboxMaxInFlight(h.user.entraId)).toBe(4);
    expect(h.fake.control.mailboxRejections()).toBe(0);
  });

  test('without the limiter, the fake answers the fifth concurrent request with 429 MailboxConcurrency', async () => {
    h.fake.control.addFault({ path: '/events', latencyMs: 60 });
    const unlimited = new GraphApi(
      createGraphSdkClient({ baseUrl: h.fake.url, authProvider: h.connector.tokenProvider }),
      {
        limiter: new MailboxLimiter(10),
        retryPolicy: { maxAttempts: 1, maxTotalWaitMs: 0, baseDelayMs: 0, maxDelayMs: 0 },
      },
    );
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => unlimited.get(eventsPath, { mailbox: h.user.entraId })),
    );
    const throttled = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]).toBeInstanceOf(TransientRemoteError);
    expect(throttled[0].message).toContain('ApplicationThrottled');
    expect(throttled[0].message).toContain('MailboxConcurrency');
    expect(h.fake.control.mailboxMaxInFlight(h.user.entraId)).toBe(4);
  });

  test('a request that never answers times out as a transient error', async () => {
    const api = new GraphApi(
      createGraphSdkClient({ baseUrl: h.fake.url, authProvider: h.connector.tokenProvider }),
      {
        timeoutMs: 200,
        retryPolicy: { maxAttempts: 2, maxTotalWaitMs: 1000, baseDelayMs: 10, maxDelayMs: 10 },
      },
    );
    h.fake.control.addFault({ method: 'GET', path: '/events', hang: true, count: 1 });
    expect(await api.get<{ value: unknown[] }>(eventsPath, { mailbox: h.user.entraId })).toEqual(
      expect.objectContaining({ value: [] }),
    );
    h.fake.control.addFault({ method: 'POST', path: '/events', hang: true, count: 1 });
    await expect(api.post(eventsPath, sample, { mailbox: h.user.entraId })).rejects.toBeInstanceOf(
      TransientRemoteError,
    );
    expect(h.fake.control.countRequests('POST', '/events')).toBe(1);
  });

  test('a 401 from a revoked or expired token refreshes the token once and succeeds', async () => {
    await h.connector.api.get('/users');
    h.fake.control.revokeTokens();
    await h.connector.api.post(eventsPath, sample, { mailbox: h.user.entraId });
    expect(h.fake.control.tokenRequests()).toBe(2);
    expect(h.fake.control.countRequests('POST', '/events')).toBe(2);
    expect(h.fake.control.listEvents(h.user.entraId)).toHaveLength(1);
  });

  test('a 400 is permanent and not retried', async () => {
    const err = await failureOf(
      h.connector.api.post(eventsPath, { ...sample, subjekt: 'typo' }, { mailbox: h.user.entraId }),
    );
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.remoteCode).toBe('RequestBodyRead');
  });

  test('every request carries Authorization and Prefer: IdType="ImmutableId"', async () => {
    await h.connector.api.get('/users');
    await h.connector.api.get(eventsPath, { mailbox: h.user.entraId, prefer: ['odata.maxpagesize=5'] });
    for (const r of h.fake.control.requests) {
      expect(r.headers.authorization).toBe('Bearer (present)');
      expect(r.headers.prefer).toContain('IdType="ImmutableId"');
    }
    expect(h.fake.control.requests[1].headers.prefer).toBe('odata.maxpagesize=5, IdType="ImmutableId"');
  });
});
