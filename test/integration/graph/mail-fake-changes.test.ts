import { ManualClock } from '../../../shared/platform/clock';
import {
  startNotificationReceiver,
  type NotificationReceiver,
} from '../../support/graph/notification-receiver';
import type { Loose } from '../../support/graph/loose';
import {
  IMMUTABLE,
  MESSAGE,
  sampleMime,
  schemaProblems,
  startMailTest,
  type MailTest,
} from './mail-fake-support';

/** Changes to mail as the fake reports them: messages/delta per folder, and change notifications. */

let t: MailTest;
let clock: ManualClock;
const user = () => t.h.user.entraId;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  t = await startMailTest({ clock, fake: { notificationRetries: 0 } });
});
afterEach(() => t.h.stop());

const PREFER = `${IMMUTABLE}, odata.maxpagesize=2`;

async function drain(first: string, prefer = PREFER) {
  const rows: Loose[] = [];
  const pages: Loose[] = [];
  let url: string | undefined = first;
  let deltaLink = '';
  while (url) {
    const page = await t.call(url, { prefer });
    expect(page.status).toBe(200);
    pages.push(page.body);
    rows.push(...page.body.value);
    url = page.body['@odata.nextLink'];
    deltaLink = page.body['@odata.deltaLink'] ?? deltaLink;
  }
  return { rows, pages, deltaLink };
}

async function deliver(subject: string, receivedAt: string) {
  return t.h.fake.control.deliverMail(user(), 'inbox', sampleMime(subject, `<${subject}@x>`), { receivedAt });
}

describe('messages/delta', () => {
  test('the first round pages by maxpagesize, honours the receivedDateTime filter and $select, then hands a deltaLink', async () => {
    await deliver('old', '2026-10-01T00:00:00Z');
    for (const d of ['18', '19', '20']) await deliver(`new-${d}`, `2026-11-${d}T00:00:00Z`);
    const filter = encodeURIComponent('receivedDateTime ge 2026-11-01T00:00:00Z');
    const first = await drain(
      `/mailFolders/inbox/messages/delta?$filter=${filter}&$select=subject,isRead,flag`,
    );
    expect(first.rows.map((r) => r.subject).sort()).toEqual(['new-18', 'new-19', 'new-20']);
    expect(first.pages).toHaveLength(2);
    expect(first.pages[0]['@odata.deltaLink']).toBeUndefined();
    expect(first.pages[1]['@odata.nextLink']).toBeUndefined();
    expect(Object.keys(first.rows[0]).sort()).toEqual([
      '@odata.etag',
      '@odata.type',
      'flag',
      'id',
      'isRead',
      'subject',
    ]);
    expect(schemaProblems(`Collection(${MESSAGE})`, first.rows)).toEqual([]);
    expect(first.deltaLink).toMatch(/\/mailFolders\/inbox\/messages\/delta\?\$deltatoken=/);
    // The token keeps the filter; a $filter added to a later request is refused.
    await deliver('also-old', '2026-09-01T00:00:00Z');
    expect((await drain(first.deltaLink)).rows).toEqual([]);
    expect((await t.call(`${first.deltaLink}&$filter=${filter}`, { prefer: PREFER })).status).toBe(400);
  });

  test('read and flag changes come as updated rows with a new changeKey; changeType=updated keeps only them', async () => {
    const a = await deliver('a', '2026-11-20T00:00:00Z');
    await deliver('b', '2026-11-20T01:00:00Z');
    const base = await drain('/mailFolders/inbox/messages/delta?$select=subject,isRead,flag');
    const updatedOnly = await drain('/mailFolders/inbox/messages/delta?changeType=updated&$select=isRead');
    expect(updatedOnly.rows).toEqual([]);

    t.h.fake.control.setMailRead(user(), a.id as string, true);
    t.h.fake.control.setMailFlag(user(), a.id as string, 'flagged');
    await deliver('c', '2026-11-21T00:00:00Z');
    const next = await drain(base.deltaLink);
    const rowA = next.rows.find((r) => r.id === a.id);
    expect(rowA).toMatchObject({ isRead: true, flag: { flagStatus: 'flagged' } });
    expect(rowA['@odata.etag']).not.toBe(base.rows.find((r) => r.id === a.id)['@odata.etag']);
    expect(next.rows.map((r) => r.subject).sort()).toEqual(['a', 'c']);

    await deliver('d', '2026-11-21T02:00:00Z');
    t.h.fake.control.setMailRead(user(), a.id as string, false);
    const onlyUpdates = await drain(updatedOnly.deltaLink);
    expect(onlyUpdates.rows.map((r) => [r.id, r.isRead])).toEqual([[a.id, false]]);
  });

  test('deletes and moves out come as @removed; a moved message appears in its new folder', async () => {
    const gone = await deliver('gone', '2026-11-20T00:00:00Z');
    const moved = await deliver('moved', '2026-11-20T01:00:00Z');
    const inbox = await drain('/mailFolders/inbox/messages/delta?$select=subject');
    const archive = await drain('/mailFolders/archive/messages/delta?$select=subject');
    expect(archive.rows).toEqual([]);

    t.h.fake.control.deleteMail(user(), gone.id as string);
    t.h.fake.control.moveMail(user(), moved.id as string, 'archive');
    const inboxNext = await drain(inbox.deltaLink);
    expect(inboxNext.rows).toEqual(
      expect.arrayContaining([
        { '@odata.type': '#microsoft.graph.message', id: gone.id, '@removed': { reason: 'deleted' } },
        { '@odata.type': '#microsoft.graph.message', id: moved.id, '@removed': { reason: 'deleted' } },
      ]),
    );
    expect(inboxNext.rows).toHaveLength(2);
    const archiveNext = await drain(archive.deltaLink);
    expect(archiveNext.rows.map((r) => [r.id, r.subject])).toEqual([[moved.id, 'moved']]);
  });

  test('regular ids in delta: a moved-out message is removed under the id it had', async () => {
    const m = await deliver('m', '2026-11-20T00:00:00Z');
    const before = await drain('/mailFolders/inbox/messages/delta?$select=subject', 'odata.maxpagesize=5');
    const restId = before.rows[0].id;
    expect(restId).not.toBe(m.id);
    t.h.fake.control.moveMail(user(), m.id as string, 'junkemail');
    const after = await drain(before.deltaLink, 'odata.maxpagesize=5');
    expect(after.rows).toEqual([
      { '@odata.type': '#microsoft.graph.message', id: restId, '@removed': { reason: 'deleted' } },
    ]);
  });

  test('an unknown or expired token is 410 SyncStateNotFound with a Location to restart from', async () => {
    await deliver('a', '2026-11-20T00:00:00Z');
    const round = await drain('/mailFolders/inbox/messages/delta');
    const bogus = await t.call('/mailFolders/inbox/messages/delta?$deltatoken=nonsense', { prefer: PREFER });
    expect(bogus.status).toBe(410);
    expect(bogus.body.error.code).toBe('SyncStateNotFound');
    expect(bogus.headers.get('location')).toMatch(/\/mailFolders\/inbox\/messages\/delta\?\$deltatoken=$/);
    t.h.fake.control.expireDeltaTokens(user());
    expect((await t.call(round.deltaLink, { prefer: PREFER })).status).toBe(410);
  });

  test('unsupported delta options are refused', async () => {
    const bad = await t.call(
      `/mailFolders/inbox/messages/delta?$filter=${encodeURIComponent("subject eq 'x'")}`,
    );
    expect(bad.status).toBe(400);
    expect((await t.call('/mailFolders/inbox/messages/delta?$orderby=subject')).status).toBe(400);
    expect((await t.call('/mailFolders/inbox/messages/delta?$orderby=receivedDateTime desc')).status).toBe(
      200,
    );
  });
});

describe('change notifications for messages', () => {
  let receiver: NotificationReceiver;

  beforeEach(async () => {
    receiver = await startNotificationReceiver();
  });
  afterEach(() => receiver.stop());

  async function subscribe(resource: string) {
    const created = await fetch(`${t.h.fake.url}/v1.0/subscriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await t.h.connector.tokenProvider.getAccessToken()}`,
        'content-type': 'application/json',
        prefer: IMMUTABLE,
      },
      body: JSON.stringify({
        changeType: 'created,updated,deleted',
        notificationUrl: receiver.url,
        resource,
        expirationDateTime: new Date(clock.now() + 10_080 * 60_000).toISOString(),
        clientState: 'mail-state',
      }),
    });
    expect(created.status).toBe(201);
    return (await created.json()) as Loose;
  }

  test('the inbox subscription hears arrivals, read and flag changes, moves out and deletes of inbox mail only', async () => {
    const sub = await subscribe(`users/${user()}/mailFolders('inbox')/messages`);
    const arrived = await deliver('hello', '2026-11-22T07:59:00Z');
    await t.h.fake.control.deliverMail(user(), 'junkemail', sampleMime('spam', '<spam@x>'));
    t.h.fake.control.setMailRead(user(), arrived.id as string, true);
    t.h.fake.control.setMailFlag(user(), arrived.id as string, 'flagged');
    t.h.fake.control.moveMail(user(), arrived.id as string, 'archive');
    await t.h.fake.control.notificationsIdle();
    const changes = receiver.received.filter((n) => n.changeType);
    expect(changes.map((n) => n.changeType)).toEqual(['created', 'updated', 'updated', 'deleted']);
    expect(changes.every((n) => n.resourceData?.id === arrived.id)).toBe(true);
    expect(changes[0]).toMatchObject({
      subscriptionId: sub.id,
      clientState: 'mail-state',
      resource: `Users/${user()}/Messages/${arrived.id}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.Message', id: arrived.id },
    });
    expect(changes[1].resourceData?.['@odata.etag']).not.toBe(changes[2].resourceData?.['@odata.etag']);
    for (const body of receiver.bodies)
      expect(schemaProblems('microsoft.graph.changeNotificationCollection', body)).toEqual([]);
  });

  test('a mailbox-wide subscription hears every folder, and changes made through the API', async () => {
    await subscribe(`users/${user()}/messages`);
    const created = await t.call('/mailFolders/inbox/messages', {
      method: 'POST',
      prefer: IMMUTABLE,
      body: { subject: 'x', singleValueExtendedProperties: [{ id: 'Integer 0x0E07', value: '1' }] },
    });
    await t.call(`/messages/${created.body.id}`, {
      method: 'PATCH',
      body: { isRead: false },
      prefer: IMMUTABLE,
    });
    await t.call(`/messages/${created.body.id}`, { method: 'DELETE', prefer: IMMUTABLE });
    await t.h.fake.control.deliverMail(user(), 'junkemail', sampleMime('spam', '<spam@x>'));
    await t.h.fake.control.notificationsIdle();
    expect(receiver.received.map((n) => n.changeType)).toEqual(['created', 'updated', 'deleted', 'created']);
  });
});
