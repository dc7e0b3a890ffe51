import { ManualClock } from '../../../shared/platform/clock';
import { expiryFor } from '../../../shared/connectors/graph/subscriptions-api';
import type { GraphSubscription } from '../../../shared/connectors/graph/wire-types';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import {
  startNotificationReceiver,
  type NotificationReceiver,
} from '../../support/graph/notification-receiver';
import { calendarEvent } from '../../support/calendar-event';

/** Change and lifecycle notifications from the fake to a local receiver, and the delivery faults. */

let h: GraphHarness;
let receiver: NotificationReceiver;
let sub: GraphSubscription;

const event = (subject: string): CalendarEvent =>
  calendarEvent({
    subject,
    start: { local: '2026-11-25T09:00:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-25T10:00:00', timeZone: 'Asia/Shanghai' },
  });

beforeEach(async () => {
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startGraphHarness({ clock, fake: { notificationRetries: 1, notificationRetryDelayMs: 10 } });
  receiver = await startNotificationReceiver();
  const resource = `users/${h.user.entraId}/events`;
  sub = await h.connector.subscriptions.create({
    resource,
    changeType: 'created,updated,deleted',
    notificationUrl: `${receiver.url}?tenant=contoso`,
    lifecycleNotificationUrl: `${receiver.url}?lifecycle=1`,
    expirationDateTime: expiryFor(resource, clock.now()),
    clientState: 'secret-client-state',
  });
});
afterEach(async () => {
  await receiver.stop();
  await h.stop();
});

const changes = () => receiver.received.filter((n) => n.changeType);
const lifecycle = () => receiver.received.filter((n) => n.lifecycleEvent);

describe('change notifications', () => {
  test('creates, updates and deletes made through the API notify with clientState and immutable ids', async () => {
    const created = await h.connector.calendar.create(h.user, event('Notify me'), 'n-1');
    const updated = await h.connector.calendar.update(h.user, created.id, event('Notify me again'));
    await h.connector.calendar.delete(h.user, created.id);
    await h.fake.control.notificationsIdle();
    expect(changes().map((n) => n.changeType)).toEqual(['created', 'updated', 'deleted']);
    const first = changes()[0];
    expect(first).toEqual({
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      changeType: 'created',
      resource: `Users/${h.user.entraId}/Events/${created.id}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Event',
        '@odata.id': `Users/${h.user.entraId}/Events/${created.id}`,
        '@odata.etag': expect.stringMatching(/^W\/".+"$/),
        id: created.id,
      },
      clientState: 'secret-client-state',
      tenantId: h.fake.tenantId,
    });
    // The etag in a notification is the version our own write got back: how echoes are recognised.
    expect(changes()[1].resourceData!['@odata.etag']).toBe(`W/"${updated.version}"`);
  });

  test('edits made by the user in Outlook notify too', async () => {
    h.fake.control.createEvent(h.user.entraId, {
      subject: 'Typed in Outlook',
      start: { dateTime: '2026-11-26T09:00:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-11-26T10:00:00', timeZone: 'W. Europe Standard Time' },
    });
    await receiver.waitFor((all) => all.length === 1);
    expect(receiver.received[0].changeType).toBe('created');
  });

  test('duplicates arrive twice', async () => {
    h.fake.control.duplicateNotifications(1);
    await h.connector.calendar.create(h.user, event('Twice'), 'n-2');
    await h.fake.control.notificationsIdle();
    expect(changes()).toHaveLength(2);
    expect(changes()[0]).toEqual(changes()[1]);
  });

  test('held notifications can be released in reverse order', async () => {
    h.fake.control.holdNotifications();
    const a = await h.connector.calendar.create(h.user, event('First'), 'n-3');
    const b = await h.connector.calendar.create(h.user, event('Second'), 'n-4');
    await h.fake.control.notificationsIdle();
    expect(changes()).toHaveLength(0);
    await h.fake.control.releaseNotifications('reverse');
    expect(changes().map((n) => n.resourceData!.id)).toEqual([b.id, a.id]);
  });

  test('a delayed notification arrives after later ones', async () => {
    h.fake.control.delayNotifications(1, 150);
    const slow = await h.connector.calendar.create(h.user, event('Slow'), 'n-5');
    const fast = await h.connector.calendar.create(h.user, event('Fast'), 'n-6');
    await h.fake.control.notificationsIdle();
    expect(changes().map((n) => n.resourceData!.id)).toEqual([fast.id, slow.id]);
  });

  test('a dropped notification never arrives; a missed lifecycle event says so', async () => {
    h.fake.control.dropNotifications(1);
    await h.connector.calendar.create(h.user, event('Lost'), 'n-7');
    await h.fake.control.notificationsIdle();
    expect(changes()).toHaveLength(0);
    expect(lifecycle()).toEqual([
      {
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: sub.expirationDateTime,
        tenantId: h.fake.tenantId,
        clientState: 'secret-client-state',
        lifecycleEvent: 'missed',
      },
    ]);
  });

  test('an endpoint that keeps failing is retried, then the notification is given up as missed', async () => {
    receiver.notificationStatus = 500;
    await h.connector.calendar.create(h.user, event('Failing endpoint'), 'n-8');
    await h.fake.control.notificationsIdle();
    const attempts = h.fake.control.deliveries().filter((d) => d.kind === 'change');
    expect(attempts.map((d) => d.status)).toEqual([500, 500]);
    // The lifecycle endpoint fails too here, so the missed event is itself retried.
    expect(new Set(lifecycle().map((n) => n.lifecycleEvent))).toEqual(new Set(['missed']));
  });

  test('lifecycle: reauthorizationRequired, and subscriptionRemoved when Graph drops the subscription', async () => {
    h.fake.control.sendLifecycle(sub.id, 'reauthorizationRequired');
    expect(h.fake.control.removeSubscription(sub.id)).toBe(true);
    await h.fake.control.notificationsIdle();
    expect(
      lifecycle()
        .map((n) => n.lifecycleEvent)
        .sort(),
    ).toEqual(['reauthorizationRequired', 'subscriptionRemoved']);
    await h.connector.calendar.create(h.user, event('After removal'), 'n-9');
    await h.fake.control.notificationsIdle();
    expect(changes()).toHaveLength(0);
  });

  test('the notificationUrl query string is passed back on every delivery', async () => {
    await h.connector.calendar.create(h.user, event('Query'), 'n-10');
    await h.fake.control.notificationsIdle();
    expect(h.fake.control.deliveries()[0].url).toBe(`${receiver.url}?tenant=contoso`);
  });
});
