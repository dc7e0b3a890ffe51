import { GraphUsersApi } from '../../../shared/connectors/graph/directory';
import { expiryFor } from '../../../shared/connectors/graph/subscriptions-api';
import type { GraphCollection, GraphEvent } from '../../../shared/connectors/graph/wire-types';
import { NotFoundRemoteError } from '../../../shared/sync/types';
import type { CapturedRequest } from '../../../sandbox/graph/control';
import { checkInstance, loadCsdl, type CsdlModel } from '../../support/graph/csdl';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import {
  startNotificationReceiver,
  type NotificationReceiver,
} from '../../support/graph/notification-receiver';
import { calendarEvent } from '../../support/calendar-event';

/**
 * Wire-format contract: every JSON entity the fake Graph returns, every body the project's Graph client sends,
 * and every notification the fake delivers uses only names (and primitive types, enum members) of the Graph
 * v1.0 CSDL types, BaseType inheritance included.
 */

const EVENT = 'microsoft.graph.event';
const SUBSCRIPTION = 'microsoft.graph.subscription';
const USER = 'microsoft.graph.user';
const NOTIFICATIONS = 'microsoft.graph.changeNotificationCollection';

let model: CsdlModel;

beforeAll(() => {
  model = loadCsdl();
});

describe('the CSDL checker', () => {
  test('accepts a well-formed event and rejects misspelt names, wrong primitives and unknown enum members', () => {
    const good = {
      id: 'x',
      subject: 'a',
      start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' },
      showAs: 'busy',
    };
    expect(checkInstance(model, EVENT, good)).toEqual([]);
    expect(checkInstance(model, EVENT, { subjekt: 'a' })).toEqual([
      '$.subjekt: no such property on microsoft.graph.event',
    ]);
    expect(checkInstance(model, EVENT, { isAllDay: 'yes' })).toHaveLength(1);
    expect(checkInstance(model, EVENT, { start: { dateTime: 'x', timeZon: 'UTC' } })).toHaveLength(1);
    expect(checkInstance(model, EVENT, { showAs: 'sleeping' })).toHaveLength(1);
    expect(checkInstance(model, EVENT, { createdDateTime: '2026-11-23 09:00' })).toHaveLength(1);
  });

  test('resolves inherited properties (event ← outlookItem ← entity) and Guid/enum types on notifications', () => {
    expect(checkInstance(model, EVENT, { id: 'a', changeKey: 'b', categories: [] })).toEqual([]);
    const item = {
      subscriptionId: 'not-a-guid',
      tenantId: '6c3a1d2e-8f4b-4c7a-9e1d-3b5f7a9c2e40',
      changeType: 'created',
    };
    expect(checkInstance(model, 'microsoft.graph.changeNotification', item)).toHaveLength(1);
    expect(
      checkInstance(model, 'microsoft.graph.changeNotification', { ...item, lifecycleEvent: 'gone' }),
    ).toHaveLength(2);
  });
});

describe('fake Graph and Graph client against the v1.0 CSDL', () => {
  let h: GraphHarness;
  let receiver: NotificationReceiver;

  beforeAll(async () => {
    h = await startGraphHarness();
    receiver = await startNotificationReceiver();
    await runScenario(h, receiver);
  });
  afterAll(async () => {
    await receiver.stop();
    await h.stop();
  });

  test('every response entity matches its CSDL type', () => {
    const problems: string[] = [];
    const checked = new Map<string, number>();
    for (const r of h.fake.control.requests) {
      if (r.status !== undefined && r.status >= 400) continue;
      const type = responseType(r);
      if (!type || r.response === undefined) continue;
      checked.set(type.name, (checked.get(type.name) ?? 0) + 1);
      problems.push(...checkEntityOrCollection(model, type, r.response, `${r.method} ${r.path}`));
    }
    expect(problems).toEqual([]);
    for (const name of [EVENT, SUBSCRIPTION, USER]) expect(checked.get(name) ?? 0).toBeGreaterThan(1);
  });

  test('error answers have Graph error shape', () => {
    const errors = h.fake.control.requests.filter((r) => (r.status ?? 0) >= 400);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      const body = e.response as {
        error: { code: string; message: string; innerError: Record<string, string> };
      };
      expect(Object.keys(body)).toEqual(['error']);
      expect(typeof body.error.code).toBe('string');
      expect(typeof body.error.message).toBe('string');
      expect(Object.keys(body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
    }
  });

  test('every request body the client sends matches its CSDL type', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const r of h.fake.control.requests) {
      if (r.body === undefined) continue;
      const type = requestType(r);
      if (type === 'empty') {
        expect(r.body).toEqual({});
        continue;
      }
      expect(type).toBeDefined();
      checked++;
      problems.push(...checkInstance(model, type!, r.body, `${r.method} ${r.path} body`));
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(5);
  });

  test('every notification body is a changeNotificationCollection', () => {
    expect(receiver.bodies.length).toBeGreaterThan(3);
    const lifecycle = receiver.received.filter((n) => n.lifecycleEvent);
    expect(lifecycle.map((n) => n.lifecycleEvent).sort()).toEqual(['missed', 'reauthorizationRequired']);
    const problems = receiver.bodies.flatMap((b, i) =>
      checkInstance(model, NOTIFICATIONS, b, `notification[${i}]`),
    );
    expect(problems).toEqual([]);
  });
});

async function runScenario(h: GraphHarness, receiver: NotificationReceiver): Promise<void> {
  const { connector, user, fake } = h;
  fake.control.addUser({
    userPrincipalName: 'anna@contoso.example',
    proxyAddresses: ['SMTP:anna@contoso.example', 'smtp:a@contoso.example'],
  });
  fake.control.addUser({ userPrincipalName: 'bo@contoso.example' });
  await new GraphUsersApi(connector.api, 2).listAll();
  await connector.users.get('anna@contoso.example');
  await connector.api.get(`/users/${user.entraId}`);
  await connector.api.get('/users');

  const resource = `users/${user.entraId}/events`;
  const subscription = await connector.subscriptions.create({
    resource,
    changeType: 'created,updated,deleted',
    notificationUrl: receiver.url,
    lifecycleNotificationUrl: `${receiver.url}?kind=lifecycle`,
    expirationDateTime: expiryFor(resource, h.clock.now()),
    clientState: 'schema-test-client-state',
  });
  await connector.subscriptions.renew(subscription.id, expiryFor(resource, h.clock.now()));
  await connector.subscriptions.list();
  await connector.subscriptions.reauthorize(subscription.id);
  await connector.api.get(`/subscriptions/${subscription.id}`);

  const calendar = connector.calendar;
  const base = calendarEvent({
    subject: 'Supplier visit',
    body: 'Agenda\nPrices',
    location: 'Hangzhou office',
    start: { local: '2026-11-25T09:30:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-25T10:30:00', timeZone: 'Asia/Shanghai' },
    organizerEmail: 'zhang.san@dingtalk.example',
    attendees: [{ email: 'zhang.san@dingtalk.example', optional: false, response: 'accepted' }],
    reminderMinutes: 10,
    onlineMeetingUrl: 'https://meeting.dingtalk.com/j/abc',
  });
  const timed = await calendar.create(user, base, 'schema-1');
  await calendar.create(
    user,
    {
      ...base,
      isAllDay: true,
      start: { local: '2026-11-26', timeZone: 'Asia/Shanghai' },
      end: { local: '2026-11-27', timeZone: 'Asia/Shanghai' },
    },
    'schema-2',
  );
  const series = await calendar.create(
    user,
    {
      ...base,
      subject: 'Weekly sync',
      start: { local: '2026-11-23T10:00:00', timeZone: 'Europe/Berlin' },
      end: { local: '2026-11-23T10:30:00', timeZone: 'Europe/Berlin' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
        range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 6 },
      },
    },
    'schema-3',
  );
  await calendar.create(user, { ...base, subject: 'Cancelled thing', isCancelled: true }, 'schema-4');
  fake.control.createEvent(user.entraId, {
    subject: 'Native Teams meeting',
    body: { contentType: 'html', content: '<p>Hello <b>team</b></p>' },
    start: { dateTime: '2026-11-24T01:00:00', timeZone: 'China Standard Time' },
    end: { dateTime: '2026-11-24T02:00:00', timeZone: 'China Standard Time' },
    isOnlineMeeting: true,
    attendees: [{ emailAddress: { address: 'Client@Partner.example', name: 'Client' }, type: 'required' }],
  });

  let cursor: string | undefined;
  const drain = async () => {
    for (let more = true; more;) {
      const page = await calendar.listChanges(user, 'calendar', cursor);
      cursor = page.nextCursor;
      more = page.more;
    }
  };
  await drain();
  const instances = await connector.api.get<GraphCollection<GraphEvent>>(
    `/users/${user.entraId}/events/${series.id}/instances?startDateTime=2026-11-29T00:00:00Z&endDateTime=2026-12-02T00:00:00Z`,
    { mailbox: user.entraId },
  );
  await calendar.create(
    user,
    {
      ...series.projection,
      recurrence: undefined,
      seriesMasterId: series.id,
      originalStart: instances.value[0].originalStart!,
      subject: 'Weekly sync (moved)',
    },
    'schema-5',
  );
  await calendar.update(user, timed.id, { ...timed.projection, subject: 'Supplier visit (confirmed)' });
  await calendar.findByOriginKey(user, 'schema-1');
  await connector.api.get(`/users/${user.entraId}/events/${timed.id}`, { mailbox: user.entraId });
  await connector.api.get(
    `/users/${user.entraId}/calendarView?startDateTime=2026-11-20T00:00:00Z&endDateTime=2026-12-20T00:00:00Z`,
  );
  await calendar.delete(user, timed.id);
  await expect(calendar.delete(user, 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0Anope')).resolves.toBeUndefined();
  await expect(connector.api.get(`/users/${user.entraId}/events/nope`)).rejects.toBeInstanceOf(
    NotFoundRemoteError,
  );
  await drain();

  fake.control.dropNotifications(1);
  await calendar.create(user, { ...base, subject: 'Dropped notification' }, 'schema-6');
  fake.control.sendLifecycle(subscription.id, 'reauthorizationRequired');
  await fake.control.notificationsIdle();
  await connector.subscriptions.delete(subscription.id);
}

interface ResponseType {
  name: string;
  collection: boolean;
}

function responseType(r: CapturedRequest): ResponseType | undefined {
  const s = r.path.replace(/^\/v1\.0\//, '').split('/');
  if (s[0] === 'users' && s.length === 1) return { name: USER, collection: true };
  if (s[0] === 'users' && s.length === 2) return { name: USER, collection: false };
  if (s[0] === 'subscriptions') {
    if (s.length === 1) return { name: SUBSCRIPTION, collection: r.method === 'GET' };
    if (s.length === 2 && r.method !== 'DELETE') return { name: SUBSCRIPTION, collection: false };
    return undefined;
  }
  if (s[0] === 'users' && (s[2] === 'events' || s[2] === 'calendarView')) {
    const collection =
      s.length === 3 ? r.method === 'GET' : s[s.length - 1] === 'instances' || s[s.length - 1] === 'delta';
    return r.method === 'DELETE' ? undefined : { name: EVENT, collection };
  }
  return undefined;
}

function requestType(r: CapturedRequest): string | 'empty' | undefined {
  const s = r.path.replace(/^\/v1\.0\//, '').split('/');
  if (s[0] === 'subscriptions') return s[2] === 'reauthorize' ? 'empty' : SUBSCRIPTION;
  if (s[0] === 'users' && s[2] === 'events') return EVENT;
  return undefined;
}

function checkEntityOrCollection(model: CsdlModel, type: ResponseType, body: unknown, at: string): string[] {
  if (!type.collection) return checkInstance(model, type.name, body, at);
  const wrapper = body as Record<string, unknown>;
  const extra = Object.keys(wrapper).filter((k) => k !== 'value' && !k.startsWith('@odata.'));
  return [
    ...extra.map((k) => `${at}: unexpected collection member ${k}`),
    ...checkInstance(model, `Collection(${type.name})`, wrapper.value, `${at}.value`),
  ];
}
