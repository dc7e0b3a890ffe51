import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { readJson, type Loose } from '../../support/graph/loose';

/** The fake's calendar, spoken to over raw HTTPS the way Graph is documented to behave. */

let h: GraphHarness;
let base: string;

beforeEach(async () => {
  h = await startGraphHarness();
  base = `${h.fake.url}/v1.0/users/${h.user.entraId}`;
});
afterEach(() => h.stop());

interface Raw {
  status: number;
  headers: Headers;
  body: Loose;
}

async function raw(
  url: string,
  init: { method?: string; body?: unknown; prefer?: string; ifMatch?: string } = {},
): Promise<Raw> {
  const token = await h.connector.tokenProvider.getAccessToken();
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.prefer) headers.prefer = init.prefer;
  if (init.ifMatch) headers['if-match'] = init.ifMatch;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url.startsWith('https://') ? url : `${base}${url}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const IMMUTABLE = 'IdType="ImmutableId"';
const event = (subject: string, day = 25, extra: Record<string, unknown> = {}) => ({
  subject,
  start: { dateTime: `2026-11-${day}T09:00:00`, timeZone: 'China Standard Time' },
  end: { dateTime: `2026-11-${day}T10:00:00`, timeZone: 'China Standard Time' },
  ...extra,
});
const window = '?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z';

async function drainDelta(first: string, prefer = `${IMMUTABLE}, odata.maxpagesize=50`) {
  const rows: Loose[] = [];
  const pages: Raw[] = [];
  let url: string | undefined = first;
  let deltaLink = '';
  while (url) {
    const page = await raw(url, { prefer });
    pages.push(page);
    rows.push(...page.body.value);
    url = page.body['@odata.nextLink'];
    deltaLink = page.body['@odata.deltaLink'] ?? deltaLink;
  }
  return { rows, pages, deltaLink };
}

describe('events', () => {
  test('a second POST with the same transactionId returns the existing event', async () => {
    const first = await raw('/events', {
      method: 'POST',
      body: event('Once', 25, { transactionId: 'tx-1' }),
      prefer: IMMUTABLE,
    });
    const second = await raw('/events', {
      method: 'POST',
      body: event('Once again', 25, { transactionId: 'tx-1' }),
      prefer: IMMUTABLE,
    });
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.subject).toBe('Once');
    expect(h.fake.control.listEvents(h.user.entraId)).toHaveLength(1);
  });

  test('ids are immutable only with Prefer IdType="ImmutableId"; both spellings address the event', async () => {
    const created = await raw('/events', { method: 'POST', body: event('Ids') });
    const immutable = await raw(`/events/${created.body.id}`, { prefer: IMMUTABLE });
    expect(immutable.body.id).not.toBe(created.body.id);
    expect((await raw(`/events/${immutable.body.id}`)).body.id).toBe(created.body.id);
  });

  test('times come in UTC by default and in the Prefer outlook.timezone zone when asked; the original zone is kept', async () => {
    const created = await raw('/events', { method: 'POST', body: event('Zones'), prefer: IMMUTABLE });
    expect(created.body.start).toEqual({ dateTime: '2026-11-25T01:00:00.0000000', timeZone: 'UTC' });
    expect(created.body.originalStartTimeZone).toBe('China Standard Time');
    const shanghai = await raw(`/events/${created.body.id}`, {
      prefer: `${IMMUTABLE}, outlook.timezone="Asia/Shanghai"`,
    });
    expect(shanghai.body.start).toEqual({
      dateTime: '2026-11-25T09:00:00.0000000',
      timeZone: 'Asia/Shanghai',
    });
    const pacific = await raw(`/events/${created.body.id}`, {
      prefer: 'outlook.timezone="Pacific Standard Time"',
    });
    expect(pacific.body.start).toEqual({
      dateTime: '2026-11-24T17:00:00.0000000',
      timeZone: 'Pacific Standard Time',
    });
  });

  test('all-day events are midnight to midnight whatever zone is asked for', async () => {
    const body = {
      subject: 'Holiday',
      isAllDay: true,
      start: { dateTime: '2026-12-24T00:00:00', timeZone: 'China Standard Time' },
      end: { dateTime: '2026-12-26T00:00:00', timeZone: 'China Standard Time' },
    };
    const created = await raw('/events', {
      method: 'POST',
      body,
      prefer: `${IMMUTABLE}, outlook.timezone="Pacific Standard Time"`,
    });
    expect(created.body.start).toEqual({
      dateTime: '2026-12-24T00:00:00.0000000',
      timeZone: 'Pacific Standard Time',
    });
    expect(created.body.end.dateTime).toBe('2026-12-26T00:00:00.0000000');
  });

  test('bodies come back as HTML unless Prefer outlook.body-content-type="text"', async () => {
    const created = await raw('/events', {
      method: 'POST',
      body: event('Body', 25, { body: { contentType: 'text', content: 'a & b\nc' } }),
    });
    expect(created.body.body.contentType).toBe('html');
    expect(created.body.body.content).toContain('<div>a &amp; b</div>');
    const text = await raw(`/events/${created.body.id}`, { prefer: 'outlook.body-content-type="text"' });
    expect(text.body.body).toEqual({ contentType: 'text', content: 'a & b\nc' });
  });

  test.each([
    ['an unknown property', event('x', 25, { subjekt: 'typo' }), 'RequestBodyRead'],
    ['a read-only property', event('x', 25, { iCalUId: 'mine' }), 'ErrorInvalidPropertySet'],
    [
      'an unknown time zone',
      { ...event('x'), start: { dateTime: '2026-11-25T09:00:00', timeZone: 'Mars Standard Time' } },
      'TimeZoneNotSupportedException',
    ],
    ['an all-day event not at midnight', { ...event('x'), isAllDay: true }, 'ErrorPropertyValidationFailure'],
    [
      'an end before the start',
      { ...event('x'), end: { dateTime: '2026-11-25T08:00:00', timeZone: 'China Standard Time' } },
      'ErrorInvalidRequest',
    ],
    [
      'a weekly pattern without days',
      event('x', 25, {
        recurrence: {
          pattern: { type: 'weekly', interval: 1 },
          range: { type: 'noEnd', startDate: '2026-11-25' },
        },
      }),
      'ErrorPropertyValidationFailure',
    ],
  ])('refuses %s with 400', async (_name, body, code) => {
    const res = await raw('/events', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  test('$filter on a single-value extended property finds the stamped event; other filters are refused', async () => {
    const id = 'String {8f4b2a6e-5c1d-4e7a-9b3f-2d6c8a1e4f70} Name SyncOriginKey';
    await raw('/events', {
      method: 'POST',
      body: event('Stamped', 25, { singleValueExtendedProperties: [{ id, value: "o'key" }] }),
    });
    await raw('/events', { method: 'POST', body: event('Other') });
    const filter = encodeURIComponent(
      `singleValueExtendedProperties/Any(ep: ep/id eq '${id}' and ep/value eq 'O''KEY')`,
    );
    const expand = encodeURIComponent(`singleValueExtendedProperties($filter=id eq '${id}')`);
    const found = await raw(`/events?$filter=${filter}&$expand=${expand}`);
    expect(found.body.value.map((e: { subject: string }) => e.subject)).toEqual(['Stamped']);
    expect(found.body.value[0].singleValueExtendedProperties).toEqual([{ id, value: "o'key" }]);
    const refused = await raw(`/events?$filter=${encodeURIComponent("transactionId eq 'x'")}`);
    expect(refused.status).toBe(400);
  });

  test('/events pages with $top and an absolute nextLink', async () => {
    for (let i = 0; i < 3; i++) await raw('/events', { method: 'POST', body: event(`E${i}`) });
    const first = await raw('/events?$top=2');
    expect(first.body.value).toHaveLength(2);
    expect(first.body['@odata.nextLink']).toMatch(
      new RegExp(`^${h.fake.url}/v1\\.0/users/.+/events\\?\\$top=2&\\$skip=2$`),
    );
    expect((await raw(first.body['@odata.nextLink'])).body.value).toHaveLength(1);
  });

  test('unknown mailbox and unlicensed user', async () => {
    expect((await raw(`${h.fake.url}/v1.0/users/nobody@contoso.example/events`)).body.error.code).toBe(
      'ErrorInvalidUser',
    );
    const unlicensed = h.fake.control.addUser({
      userPrincipalName: 'guest@contoso.example',
      hasMailbox: false,
    });
    const res = await raw(`${h.fake.url}/v1.0/users/${unlicensed.id}/events`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('MailboxNotEnabledForRESTAPI');
  });
});

describe('If-Match on PATCH and DELETE', () => {
  async function created(subject: string): Promise<Loose> {
    return (await raw('/events', { method: 'POST', body: event(subject), prefer: IMMUTABLE })).body;
  }

  test('the current @odata.etag or * lets the write through and moves the etag', async () => {
    const ev = await created('Conditional');
    const patched = await raw(`/events/${ev.id}`, {
      method: 'PATCH',
      body: { subject: 'Renamed' },
      ifMatch: ev['@odata.etag'],
    });
    expect(patched.status).toBe(200);
    expect(patched.body['@odata.etag']).not.toBe(ev['@odata.etag']);
    expect(patched.body['@odata.etag']).toBe(`W/"${patched.body.changeKey}"`);
    const any = await raw(`/events/${ev.id}`, { method: 'PATCH', body: { subject: 'Again' }, ifMatch: '*' });
    expect(any.status).toBe(200);
    expect(
      (await raw(`/events/${ev.id}`, { method: 'DELETE', ifMatch: any.body['@odata.etag'] })).status,
    ).toBe(204);
    expect(h.fake.control.listEvents(h.user.entraId)).toHaveLength(0);
  });

  test('a stale etag answers 412 ErrorIrresolvableConflict in Graph error shape and changes nothing', async () => {
    const ev = await created('Before');
    await raw(`/events/${ev.id}`, { method: 'PATCH', body: { subject: 'Edited meanwhile' } });
    const refused = await raw(`/events/${ev.id}`, {
      method: 'PATCH',
      body: { subject: 'Would overwrite' },
      ifMatch: ev['@odata.etag'],
    });
    expect(refused.status).toBe(412);
    expect(refused.body.error.code).toBe('ErrorIrresolvableConflict');
    expect(refused.body.error.message).toMatch(/change key/);
    expect(refused.body.error.innerError['request-id']).toEqual(expect.any(String));
    const deleteRefused = await raw(`/events/${ev.id}`, { method: 'DELETE', ifMatch: ev['@odata.etag'] });
    expect(deleteRefused.status).toBe(412);
    const now = await raw(`/events/${ev.id}`, { prefer: IMMUTABLE });
    expect(now.body.subject).toBe('Edited meanwhile');
  });

  test('a missing event is 404 whatever the If-Match; no If-Match writes unconditionally', async () => {
    const ev = await created('Plain');
    const gone = await raw('/events/AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0Anothere', {
      method: 'PATCH',
      body: { subject: 'x' },
      ifMatch: ev['@odata.etag'],
    });
    expect(gone.status).toBe(404);
    await raw(`/events/${ev.id}`, { method: 'PATCH', body: { subject: 'Edited meanwhile' } });
    expect((await raw(`/events/${ev.id}`, { method: 'PATCH', body: { subject: 'Ours' } })).status).toBe(200);
    expect((await raw(`/events/${ev.id}`, { method: 'DELETE' })).status).toBe(204);
  });
});

describe('calendarView/delta', () => {
  test('pages by Prefer odata.maxpagesize with absolute https links on the fake origin; pages can be re-read', async () => {
    for (let i = 0; i < 5; i++) await raw('/events', { method: 'POST', body: event(`D${i}`, 20 + i) });
    const { rows, pages, deltaLink } = await drainDelta(
      `/calendarView/delta${window}`,
      `${IMMUTABLE}, odata.maxpagesize=2`,
    );
    expect(pages.map((p) => p.body.value.length)).toEqual([2, 2, 1]);
    expect(rows.map((r) => r.subject)).toEqual(['D0', 'D1', 'D2', 'D3', 'D4']);
    expect(rows.every((r) => r['@odata.type'] === '#microsoft.graph.event')).toBe(true);
    const next = pages[0].body['@odata.nextLink'];
    expect(next).toMatch(new RegExp(`^${h.fake.url}/v1\\.0/users/[^/]+/calendarView/delta\\?\\$skiptoken=`));
    expect(pages[0].body).not.toHaveProperty('@odata.deltaLink');
    expect(deltaLink).toMatch(/\/calendarView\/delta\?\$deltatoken=/);
    const again = await raw(next, { prefer: `${IMMUTABLE}, odata.maxpagesize=2` });
    expect(again.body.value.map((r: { subject: string }) => r.subject)).toEqual(['D2', 'D3']);
  });

  test('the next round reports changes, and deletions and out-of-window changes as @removed', async () => {
    const keep = await raw('/events', { method: 'POST', body: event('Keep'), prefer: IMMUTABLE });
    const gone = await raw('/events', { method: 'POST', body: event('Gone'), prefer: IMMUTABLE });
    const away = await raw('/events', { method: 'POST', body: event('Away'), prefer: IMMUTABLE });
    const { deltaLink } = await drainDelta(`/calendarView/delta${window}`);
    await raw(`/events/${keep.body.id}`, { method: 'PATCH', body: { subject: 'Kept' } });
    await raw(`/events/${gone.body.id}`, { method: 'DELETE' });
    await raw(`/events/${away.body.id}`, {
      method: 'PATCH',
      body: {
        start: { dateTime: '2027-03-01T09:00:00', timeZone: 'UTC' },
        end: { dateTime: '2027-03-01T10:00:00', timeZone: 'UTC' },
      },
    });
    const later = await raw('/events', {
      method: 'POST',
      body: {
        ...event('Far future'),
        start: { dateTime: '2027-05-01T09:00:00', timeZone: 'UTC' },
        end: { dateTime: '2027-05-01T10:00:00', timeZone: 'UTC' },
      },
      prefer: IMMUTABLE,
    });
    const { rows } = await drainDelta(deltaLink);
    const removed = rows.filter((r) => r['@removed']);
    expect(rows.find((r) => r.id === keep.body.id)?.subject).toBe('Kept');
    expect(removed.map((r) => r.id).sort()).toEqual([gone.body.id, away.body.id, later.body.id].sort());
    expect(removed[0]).toEqual({
      '@odata.type': '#microsoft.graph.event',
      id: removed[0].id,
      '@removed': { reason: 'deleted' },
    });
  });

  test('expired tokens answer 410 SyncStateNotFound with a Location to restart from', async () => {
    await raw('/events', { method: 'POST', body: event('Before expiry') });
    const { deltaLink, pages } = await drainDelta(
      `/calendarView/delta${window}`,
      `${IMMUTABLE}, odata.maxpagesize=1`,
    );
    h.fake.control.expireDeltaTokens(h.user.entraId);
    for (const url of [deltaLink, pages[0].body['@odata.deltaLink'] ?? deltaLink]) {
      const res = await raw(url, { prefer: IMMUTABLE });
      expect(res.status).toBe(410);
      expect(res.body.error.code).toBe('SyncStateNotFound');
      expect(res.body.error.message).toMatch(
        /^The sync state generation is not found; generation=\d+;\[highest=\d+\]$/,
      );
      expect(res.headers.get('location')).toMatch(
        /calendarView\/delta\?startDateTime=.+&endDateTime=.+&\$deltatoken=$/,
      );
    }
  });

  test('delta refuses $select/$filter/$expand and needs a time window', async () => {
    expect((await raw(`/calendarView/delta${window}&$select=subject`)).status).toBe(400);
    const missing = await raw('/calendarView/delta');
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('ErrorInvalidParameter');
  });

  test('a series shows as occurrences (never its master); a changed occurrence becomes an exception; a deleted one is removed', async () => {
    const series = await raw('/events', {
      method: 'POST',
      prefer: IMMUTABLE,
      body: event('Standup', 23, {
        recurrence: {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
          range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 4 },
        },
      }),
    });
    const first = await drainDelta(`/calendarView/delta${window}`);
    expect(first.rows.map((r) => r.type)).toEqual(['occurrence', 'occurrence', 'occurrence', 'occurrence']);
    expect(new Set(first.rows.map((r) => r.seriesMasterId))).toEqual(new Set([series.body.id]));
    expect(first.rows.map((r) => r.originalStart)).toEqual([
      '2026-11-23T01:00:00Z',
      '2026-11-30T01:00:00Z',
      '2026-12-07T01:00:00Z',
      '2026-12-14T01:00:00Z',
    ]);
    const listed = await raw('/events', { prefer: IMMUTABLE });
    expect(listed.body.value.map((e: { type: string }) => e.type)).toEqual(['seriesMaster']);

    const [, second, third] = first.rows;
    await raw(`/events/${second.id}`, { method: 'PATCH', body: { subject: 'Standup (moved)' } });
    await raw(`/events/${third.id}`, { method: 'DELETE' });
    const next = await drainDelta(first.deltaLink);
    const exception = next.rows.find((r) => r.id === second.id);
    expect(exception).toMatchObject({
      type: 'exception',
      subject: 'Standup (moved)',
      seriesMasterId: series.body.id,
      originalStart: '2026-11-30T01:00:00Z',
    });
    expect(next.rows.find((r) => r.id === third.id)?.['@removed']).toEqual({ reason: 'deleted' });
    expect((await raw(`/events/${third.id}`)).status).toBe(404);
  });
});

describe('HTTP control API', () => {
  test('faults, users, notifications and stats can be driven over HTTP', async () => {
    const control = (path: string, method = 'GET', body?: unknown) =>
      fetch(`${h.fake.url}/_control${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect(
      (
        await control('/faults', 'POST', {
          method: 'GET',
          path: '/events$',
          status: 503,
          retryAfterSeconds: 3,
          count: 1,
        })
      ).status,
    ).toBe(201);
    const failed = await raw('/events');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('3');
    expect(failed.body.error.code).toBe('ServiceUnavailable');
    expect((await raw('/events')).status).toBe(200);
    const user = await readJson(
      await control('/users', 'POST', { userPrincipalName: 'demo@contoso.example' }),
    );
    expect(h.fake.control.users().map((u) => u.id)).toContain(user.id);
    const created = await readJson(await control(`/users/${user.id}/events`, 'POST', event('From the demo')));
    expect(
      (await control(`/users/${user.id}/events/${created.id}`, 'PATCH', { subject: 'Edited' })).status,
    ).toBe(200);
    expect(h.fake.control.getEvent(user.id, created.id)?.subject).toBe('Edited');
    expect((await control('/notifications', 'POST', { action: 'drop', count: 2 })).status).toBe(204);
    expect((await control('/delta/expire', 'POST', {})).status).toBe(204);
    const stats = await readJson(await control('/stats'));
    expect(stats.tokenRequests).toBe(1);
    expect((await control('/nope')).status).toBe(404);
  });
});
