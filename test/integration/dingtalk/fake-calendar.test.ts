import { ManualClock } from '../../../shared/platform/clock';
import { type Harness, startHarness } from './support/harness';

/** The calendar API of the fake, spoken to over raw HTTP so that DingTalk's rules are visible on the wire. */
describe('fake DingTalk: calendar v1.0 rules', () => {
  let h: Harness;
  let token: string;
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  beforeEach(async () => {
    h = await startHarness({ clock });
    token = await h.tokens.getToken();
  });
  afterEach(() => h.stop());

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${h.fake.url}${path}`, {
      method,
      headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const events = () => `/v1.0/calendar/users/${h.alice.dingtalkUnionId}/calendars/primary/events`;
  const timed = {
    summary: 'Sync',
    start: { dateTime: '2026-11-23T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
    end: { dateTime: '2026-11-23T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
  };

  test('CreateEvent: x-client-token makes a retry within a day return the same event', async () => {
    const a = await call('POST', events(), timed, { 'x-client-token': 'same' });
    const b = await call('POST', events(), { ...timed, summary: 'changed' }, { 'x-client-token': 'same' });
    const c = await call('POST', events(), timed, { 'x-client-token': 'other' });
    expect(a.status).toBe(200);
    expect(b.body!.id).toBe(a.body!.id);
    expect(b.body!.summary).toBe('Sync');
    expect(c.body!.id).not.toBe(a.body!.id);
  });

  test('CreateEvent: omitted reminders default to 15 minutes (a string in the response); [] means none', async () => {
    const withDefault = await call('POST', events(), timed);
    expect(withDefault.body!.reminders).toEqual([{ method: 'dingtalk', minutes: '15' }]);
    const none = await call('POST', events(), { ...timed, reminders: [] });
    expect(none.body!.reminders).toEqual([]);
  });

  test('CreateEvent: DingTalk’s time rules are enforced', async () => {
    const bad = [
      { ...timed, summary: '' },
      { ...timed, start: { date: '2026-11-23', dateTime: '2026-11-23T09:00:00+08:00' } },
      { ...timed, isAllDay: true },
      { ...timed, start: { dateTime: '2026-11-23T09:00:00', timeZone: 'China Standard Time' } },
      { summary: 'all day', isAllDay: true, start: { date: '2026-11-23' }, end: { date: '2026-11-23' } },
      { ...timed, reminders: [{ method: 'dingtalk', minutes: '15' }] },
    ];
    for (const body of bad) {
      const res = await call('POST', events(), body);
      expect([res.status, res.body!.code]).toEqual([400, 'invalidParameter']);
    }
    const ok = await call('POST', events(), {
      summary: 'day',
      isAllDay: true,
      start: { date: '2026-11-23' },
      end: { date: '2026-11-24' },
    });
    expect(ok.body).toMatchObject({
      isAllDay: true,
      start: { date: '2026-11-23' },
      end: { date: '2026-11-24' },
    });
  });

  test('PatchEvent: PUT with patch semantics; the body must repeat the id; unsent fields stay', async () => {
    const created = await call('POST', events(), {
      ...timed,
      description: 'keep me',
      location: { displayName: 'A' },
    });
    const id = created.body!.id as string;
    const missingId = await call('PUT', `${events()}/${id}`, { summary: 'x' });
    expect([missingId.status, missingId.body!.code]).toEqual([400, 'invalidParameter']);
    const patched = await call('PUT', `${events()}/${id}`, { id, summary: 'renamed' });
    expect(patched.body).toMatchObject({
      summary: 'renamed',
      description: 'keep me',
      location: { displayName: 'A' },
    });
    expect(patched.body).not.toHaveProperty('status');
  });

  test('PatchEvent: only the organizer may update; an attendee gets 403 forbidden.notOrganizer', async () => {
    const bobs = h.fake.control.userCreatesEvent(h.bob.dingtalkUnionId, {
      ...timed,
      attendees: [{ id: h.alice.dingtalkUnionId }],
    });
    const res = await call('PUT', `${events()}/${bobs.id as string}`, { id: bobs.id, summary: 'mine now' });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'forbidden.notOrganizer', requestid: expect.any(String) });
  });

  test('DeleteEvent: 204 without a body; afterwards GetEvent says instanceNotExist', async () => {
    const id = (await call('POST', events(), timed)).body!.id as string;
    const res = await fetch(`${h.fake.url}${events()}/${id}?pushNotification=false`, {
      method: 'DELETE',
      headers: { 'x-acs-dingtalk-access-token': token },
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    const get = await call('GET', `${events()}/${id}`);
    expect([get.status, get.body!.code]).toEqual([400, 'instanceNotExist']);
  });

  test('ListEvents: deleted events only with showDeleted, as cancelled; maxResults above 100 is refused', async () => {
    const id = (await call('POST', events(), timed)).body!.id as string;
    await call('DELETE', `${events()}/${id}`);
    expect((await call('GET', events())).body!.events).toEqual([]);
    const withDeleted = await call('GET', `${events()}?showDeleted=true`);
    expect(withDeleted.body!.events).toEqual([expect.objectContaining({ id, status: 'cancelled' })]);
    expect((await call('GET', `${events()}?maxResults=101`)).status).toBe(400);
  });

  test('ListEvents: timeMin/timeMax select overlapping events', async () => {
    await call('POST', events(), timed);
    await call('POST', events(), {
      ...timed,
      summary: 'later',
      start: { dateTime: '2026-12-23T09:00:00+08:00', timeZone: 'Asia/Shanghai' },
      end: { dateTime: '2026-12-23T10:00:00+08:00', timeZone: 'Asia/Shanghai' },
    });
    const res = await call('GET', `${events()}?timeMin=2026-11-23T01:30Z&timeMax=2026-11-30T00:00Z`);
    expect((res.body!.events as Array<{ summary: string }>).map((e) => e.summary)).toEqual(['Sync']);
  });

  test('ListEvents: a syncToken returns only later changes; an invalidated one is refused', async () => {
    await call('POST', events(), timed);
    const first = await call('GET', `${events()}?showDeleted=true`);
    const syncToken = first.body!.syncToken as string;
    expect(syncToken).toEqual(expect.any(String));
    expect(first.body).not.toHaveProperty('nextToken');
    await call('POST', events(), { ...timed, summary: 'second' });
    const delta = await call(
      'GET',
      `${events()}?showDeleted=true&syncToken=${encodeURIComponent(syncToken)}`,
    );
    expect((delta.body!.events as Array<{ summary: string }>).map((e) => e.summary)).toEqual(['second']);
    h.fake.control.invalidateSyncTokens();
    const refused = await call('GET', `${events()}?syncToken=${encodeURIComponent(syncToken)}`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'invalidParameter.syncToken',
      message: 'syncToken无效或已过期',
    });
  });

  test('responses show times in the event’s zone with its offset, whatever offset was written', async () => {
    const created = await call('POST', events(), {
      ...timed,
      start: { dateTime: '2026-11-23T01:00:00Z', timeZone: 'Asia/Shanghai' },
    });
    expect(created.body!.start).toEqual({ dateTime: '2026-11-23T09:00:00+08:00', timeZone: 'Asia/Shanghai' });
  });
});
