import { ManualClock } from '../../../shared/platform/clock';
import { expiryFor, maxLifetimeMinutes } from '../../../shared/connectors/graph/subscriptions-api';
import { NotFoundRemoteError, PermanentRemoteError } from '../../../shared/sync/types';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import {
  startNotificationReceiver,
  type NotificationReceiver,
} from '../../support/graph/notification-receiver';
import { failureOf } from '../../support/graph/loose';

/** Subscriptions on the fake: validation handshake, rules, renewal and expiry. */

let h: GraphHarness;
let receiver: NotificationReceiver;
let clock: ManualClock;
let resource: string;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startGraphHarness({ clock, fake: { validationTimeoutMs: 300 } });
  receiver = await startNotificationReceiver();
  resource = `users/${h.user.entraId}/events`;
});
afterEach(async () => {
  await receiver.stop();
  await h.stop();
});

const create = (overrides: Record<string, unknown> = {}) =>
  h.connector.subscriptions.create({
    resource,
    changeType: 'created,updated,deleted',
    notificationUrl: receiver.url,
    lifecycleNotificationUrl: `${receiver.url}?lifecycle=1`,
    expirationDateTime: expiryFor(resource, clock.now()),
    clientState: 'client-state-1',
    ...overrides,
  });

describe('subscription validation handshake', () => {
  test('succeeds when the endpoint echoes the decoded token as text/plain; both URLs are validated', async () => {
    const sub = await create();
    expect(sub).toMatchObject({
      resource,
      changeType: 'created,updated,deleted',
      clientState: 'client-state-1',
      applicationId: 'sandbox-client',
    });
    expect(receiver.validations).toHaveLength(2);
    expect(receiver.validations[0]).toMatch(
      /^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]+$/,
    );
  });

  test.each([
    ['an encoded echo', 'encoded' as const, 'Response must exactly match validationToken query parameter'],
    ['a JSON answer', 'json' as const, 'Response must exactly match validationToken query parameter'],
    ['a 500', 'status500' as const, 'must respond with 200 OK'],
    ['an answer after the deadline', { delayMs: 600 }, 'timed out'],
  ])('fails the create with 400 on %s', async (_name, behaviour, message) => {
    receiver.validation = behaviour;
    const err = await failureOf(create());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.status).toBe(400);
    expect(err.remoteCode).toBe('InvalidRequest');
    expect(err.message).toContain(message);
    receiver.validation = 'echo';
    expect(await h.connector.subscriptions.list()).toEqual([]);
  });

  test('an endpoint that answers slowly but within the deadline passes', async () => {
    receiver.validation = { delayMs: 100 };
    await expect(create()).resolves.toHaveProperty('id');
  });
});

describe('subscription rules', () => {
  test.each([
    ['clientState over 128 characters', { clientState: 'x'.repeat(129) }],
    ['an unknown changeType', { changeType: 'created,moved' }],
    ['a plain-http notificationUrl off loopback', { notificationUrl: 'http://example.com/hook' }],
    [
      'an expiry beyond the Outlook maximum',
      { expirationDateTime: new Date(Date.parse('2026-11-22T08:00:00Z') + 10_081 * 60_000).toISOString() },
    ],
    ['an expiry in the past', { expirationDateTime: '2026-11-21T08:00:00Z' }],
    ['a /me resource', { resource: 'me/events' }],
  ])('rejects %s with 400', async (_name, overrides) => {
    if ((overrides as { clientState?: string }).clientState) {
      const raw = await failureOf(
        h.connector.api.post('/subscriptions', {
          resource,
          changeType: 'created',
          notificationUrl: receiver.url,
          expirationDateTime: expiryFor(resource, clock.now()),
          clientState: 'x'.repeat(129),
        }),
      );
      expect(raw.status).toBe(400);
      return;
    }
    const err = await failureOf(create(overrides));
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.status).toBe(400);
  });

  test('To Do subscriptions are refused to app-only callers (403)', async () => {
    const err = await failureOf(create({ resource: `users/${h.user.entraId}/todo/lists/abc/tasks` }));
    expect(err.status).toBe(403);
  });

  test('users resources allow only updated/deleted and live up to 41,760 minutes', async () => {
    const users = await create({
      resource: 'users',
      changeType: 'updated,deleted',
      expirationDateTime: expiryFor('users', clock.now()),
    });
    expect(Date.parse(users.expirationDateTime) - clock.now()).toBeGreaterThan(10_080 * 60_000);
    expect(maxLifetimeMinutes('users')).toBe(41_760);
    const err = await failureOf(create({ resource: 'users/', changeType: 'created' }));
    expect(err.status).toBe(400);
  });

  test('an expiry under 45 minutes is raised to 45 minutes', async () => {
    const sub = await create({ expirationDateTime: new Date(clock.now() + 5 * 60_000).toISOString() });
    expect(Date.parse(sub.expirationDateTime) - clock.now()).toBe(45 * 60_000);
  });

  test('a second subscription for the same resource and change types is a 409 conflict', async () => {
    const first = await create();
    const err = await failureOf(create());
    expect(err.status).toBe(409);
    expect(err.message).toContain(first.id);
  });
});

describe('subscription lifecycle', () => {
  test('renew extends, delete removes, list shows what is active', async () => {
    const sub = await create({ expirationDateTime: new Date(clock.now() + 60 * 60_000).toISOString() });
    const later = new Date(clock.now() + 3 * 86_400_000).toISOString();
    const renewed = await h.connector.subscriptions.renew(sub.id, later);
    expect(Date.parse(renewed.expirationDateTime)).toBe(Date.parse(later));
    expect((await h.connector.subscriptions.list()).map((s) => s.id)).toEqual([sub.id]);
    await h.connector.subscriptions.delete(sub.id);
    expect(await h.connector.subscriptions.list()).toEqual([]);
    await expect(h.connector.subscriptions.delete(sub.id)).resolves.toBeUndefined();
  });

  test('a subscription is gone after its expirationDateTime: not listed, renewal is 404', async () => {
    const sub = await create({ expirationDateTime: new Date(clock.now() + 60 * 60_000).toISOString() });
    clock.advance(60 * 60_000 + 1);
    expect(await h.connector.subscriptions.list()).toEqual([]);
    await expect(
      h.connector.subscriptions.renew(sub.id, expiryFor(resource, clock.now())),
    ).rejects.toBeInstanceOf(NotFoundRemoteError);
  });

  test('renewal beyond the maximum lifetime is refused', async () => {
    const sub = await create();
    const err = await failureOf(
      h.connector.subscriptions.renew(sub.id, new Date(clock.now() + 20 * 86_400_000).toISOString()),
    );
    expect(err.status).toBe(400);
    expect(err.message).toContain('10080 minutes');
  });
});
