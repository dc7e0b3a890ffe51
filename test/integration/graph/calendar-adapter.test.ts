import { ManualClock } from '../../../shared/platform/clock';
import { OutlookCalendarAdapter } from '../../../shared/connectors/graph/calendar-adapter';
import type { GraphCollection, GraphEvent } from '../../../shared/connectors/graph/wire-types';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { isDeletion, type RemoteChange } from '../../../shared/sync/types';
import { drain, items } from '../../contract/calendar-adapter.contract';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { calendarEvent } from '../../support/calendar-event';

/** Outlook calendar adapter behaviours beyond the shared contract: series, window switch, mirrors, time zones. */

let h: GraphHarness;
let clock: ManualClock;
let adapter: OutlookCalendarAdapter;
let owner: string;

const fixture = () => ({
  adapter,
  user: h.user,
  folder: 'calendar',
  windowPastDays: 30,
  windowFutureDays: 90,
  remote: undefined as never,
  dispose: async () => undefined,
});
const list = (cursor?: string) => drain(fixture(), cursor);

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startGraphHarness({ clock, pastDays: 30, futureDays: 90 });
  adapter = h.connector.calendar;
  owner = h.user.entraId;
});
afterEach(() => h.stop());

const meeting = (subject: string, day = '2026-11-25', extra: Partial<CalendarEvent> = {}): CalendarEvent =>
  calendarEvent({
    subject,
    body: 'Notes',
    location: 'Room 1',
    start: { local: `${day}T09:00:00`, timeZone: 'Asia/Shanghai' },
    end: { local: `${day}T10:00:00`, timeZone: 'Asia/Shanghai' },
    ...extra,
  });

const weekly: CalendarEvent['recurrence'] = {
  pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
  range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 6 },
};

async function occurrencesOf(masterId: string): Promise<GraphEvent[]> {
  const page = await h.connector.api.get<GraphCollection<GraphEvent>>(
    `/users/${owner}/events/${masterId}/instances?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-02-01T00:00:00Z`,
  );
  return page.value;
}

const ids = (changes: RemoteChange<CalendarEvent>[]) => items(changes).map((c) => c.id);

describe('Outlook calendar adapter', () => {
  test('a series is reported once, as its master with the pattern, never as occurrences', async () => {
    const series = await adapter.create(
      h.user,
      meeting('Weekly', '2026-11-23', { recurrence: weekly }),
      'series-1',
    );
    const listing = await list();
    expect(ids(listing.changes)).toEqual([series.id]);
    expect(items(listing.changes)[0].projection.recurrence).toEqual(weekly);
  });

  test('an occurrence changed in Outlook is reported as an exception; its master, reported before, is not re-read', async () => {
    const series = await adapter.create(
      h.user,
      meeting('Weekly', '2026-11-23', { recurrence: weekly }),
      'series-2',
    );
    const baseline = await list();
    const second = (await occurrencesOf(series.id))[1];
    h.fake.control.updateEvent(owner, second.id, { subject: 'Weekly (moved room)' });
    const after = await list(baseline.cursor);
    const changed = items(after.changes);
    expect(changed.map((c) => c.id)).toEqual([second.id]);
    expect(changed[0].projection).toMatchObject({
      subject: 'Weekly (moved room)',
      seriesMasterId: series.id,
      originalStart: '2026-11-30T01:00:00.000Z',
    });
  });

  test('a series deleted in Outlook is reported as the deletion of its master', async () => {
    const series = await adapter.create(
      h.user,
      meeting('Weekly', '2026-11-23', { recurrence: weekly }),
      'series-3',
    );
    const baseline = await list();
    h.fake.control.deleteEvent(owner, series.id);
    const after = await list(baseline.cursor);
    expect(after.changes.filter(isDeletion).map((d) => d.id)).toContain(series.id);
  });

  test('creating an instance for an Outlook series patches the occurrence into an exception; a cancelled one deletes it', async () => {
    const series = await adapter.create(
      h.user,
      meeting('Weekly', '2026-11-23', { recurrence: weekly }),
      'series-4',
    );
    const [first, second] = await occurrencesOf(series.id);
    const exception = await adapter.create(
      h.user,
      meeting('Weekly (late)', '2026-11-23', {
        seriesMasterId: series.id,
        originalStart: first.originalStart!,
        start: { local: '2026-11-23T11:00:00', timeZone: 'Asia/Shanghai' },
        end: { local: '2026-11-23T12:00:00', timeZone: 'Asia/Shanghai' },
      }),
      'exception-1',
    );
    expect(exception.id).toBe(first.id);
    expect(h.fake.control.getEvent(owner, first.id)).toMatchObject({
      type: 'exception',
      subject: 'Weekly (late)',
    });
    await adapter.create(
      h.user,
      meeting('Weekly', '2026-11-30', {
        seriesMasterId: series.id,
        originalStart: second.originalStart!,
        isCancelled: true,
      }),
      'exception-2',
    );
    expect(h.fake.control.getEvent(owner, second.id)).toBeUndefined();
    expect(h.fake.control.countRequests('POST', '/events')).toBe(1);
  });

  test('the day the window moves, a new full round starts and the old window is drained, so deletions then are not lost', async () => {
    const a = await adapter.create(h.user, meeting('A'), 'w-1');
    const b = await adapter.create(h.user, meeting('B', '2026-11-26'), 'w-2');
    const baseline = await list();
    clock.advance(86_400_000);
    h.fake.control.deleteEvent(owner, b.id);
    h.fake.control.clearRequests();
    const pages: { full: boolean; changes: RemoteChange<CalendarEvent>[] }[] = [];
    let cursor = baseline.cursor;
    for (let more = true; more;) {
      const page = await adapter.listChanges(h.user, 'calendar', cursor);
      pages.push({ full: page.fullListing, changes: page.changes });
      cursor = page.nextCursor;
      more = page.more;
    }
    expect(pages.map((p) => p.full)).toEqual([true, false]);
    expect(ids(pages[0].changes)).toEqual([a.id]);
    expect(pages[1].changes.filter(isDeletion).map((d) => d.id)).toEqual([b.id]);
    const deltaCalls = h.fake.control.requests.filter((r) => r.path.endsWith('/calendarView/delta'));
    expect(deltaCalls[0].query).toContain('startDateTime=2026-10-24T00%3A00%3A00.000Z');
    expect(deltaCalls[1].query).toMatch(/^\?\$deltatoken=/);
    // The next call continues with the new window's delta link.
    const quiet = await list(cursor);
    expect(quiet.changes).toEqual([]);
  });

  test('an event typed in Outlook with a Windows zone name reads back in the IANA zone, all-day without a day shift', async () => {
    h.fake.control.createEvent(owner, {
      subject: 'Call',
      start: { dateTime: '2026-11-24T09:30:00', timeZone: 'China Standard Time' },
      end: { dateTime: '2026-11-24T10:00:00', timeZone: 'China Standard Time' },
    });
    h.fake.control.createEvent(owner, {
      subject: 'Thanksgiving',
      isAllDay: true,
      start: { dateTime: '2026-11-26T00:00:00', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-11-27T00:00:00', timeZone: 'Pacific Standard Time' },
    });
    const byName = Object.fromEntries(
      items((await list()).changes).map((c) => [c.projection.subject, c.projection]),
    );
    expect(byName.Call.start).toEqual({ local: '2026-11-24T09:30:00', timeZone: 'Asia/Shanghai' });
    expect(byName.Thanksgiving.start).toEqual({ local: '2026-11-26', timeZone: 'America/Los_Angeles' });
    expect(byName.Thanksgiving.end).toEqual({ local: '2026-11-27', timeZone: 'America/Los_Angeles' });
  });

  test('a mirror never gets Graph attendees (no invitations), yet reads back with its attendee list', async () => {
    const attendees = [
      { email: 'client@partner.example', optional: false, response: 'accepted' as const },
      { email: 'zhang.san@dingtalk.example', optional: true, response: 'none' as const },
    ];
    const created = await adapter.create(
      h.user,
      meeting('Mirror', '2026-11-25', { attendees, organizerEmail: 'zhang.san@dingtalk.example' }),
      'm-1',
    );
    const post = h.fake.control.requests.find((r) => r.method === 'POST' && r.path.endsWith('/events'))!;
    expect(post.body).not.toHaveProperty('attendees');
    expect(h.fake.control.getEvent(owner, created.id)!.attendees).toEqual([]);
    expect(created.projection.attendees).toEqual(attendees);
    expect((await adapter.get(h.user, created.id))!.projection).toMatchObject({
      attendees,
      organizerEmail: 'zhang.san@dingtalk.example',
    });
    expect(items((await list()).changes)[0].projection.attendees).toEqual(attendees);
  });

  test('updating a native Outlook meeting keeps its own attendees and sends them nothing new', async () => {
    const native = h.fake.control.createEvent(owner, {
      subject: 'Native meeting',
      start: { dateTime: '2026-11-27T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-27T10:00:00', timeZone: 'UTC' },
      attendees: [{ emailAddress: { address: 'Partner@Client.example' }, type: 'required' }],
    });
    const item = (await adapter.get(h.user, native.id as string))!;
    await adapter.update(h.user, item.id, { ...item.projection, subject: 'Native meeting (agenda)' });
    const patch = h.fake.control.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.body).not.toHaveProperty('attendees');
    expect((await adapter.get(h.user, item.id))!.projection.attendees.map((a) => a.email)).toEqual([
      'partner@client.example',
    ]);
  });

  test('a create whose answer was lost is found by its origin key instead of failing', async () => {
    h.fake.control.createEvent(owner, {
      ...{
        subject: 'Landed',
        start: { dateTime: '2026-11-25T09:00:00', timeZone: 'Asia/Shanghai' },
        end: { dateTime: '2026-11-25T10:00:00', timeZone: 'Asia/Shanghai' },
      },
      transactionId: 'lost-1',
      singleValueExtendedProperties: [
        { id: 'String {8f4b2a6e-5c1d-4e7a-9b3f-2d6c8a1e4f70} Name SyncOriginKey', value: 'lost-1' },
      ],
    });
    h.fake.control.addFault({ method: 'POST', path: '/events', status: 504, count: 1 });
    const item = await adapter.create(h.user, meeting('Landed'), 'lost-1');
    expect(item.projection.subject).toBe('Landed');
    expect(h.fake.control.listEvents(owner)).toHaveLength(1);
    const lookup = h.fake.control.requests.find((r) => r.method === 'GET' && r.path.endsWith('/events'))!;
    expect(decodeURIComponent(lookup.query)).toContain(
      "singleValueExtendedProperties/Any(ep: ep/id eq 'String {8f4b2a6e-5c1d-4e7a-9b3f-2d6c8a1e4f70} Name SyncOriginKey' and ep/value eq 'lost-1')",
    );
  });

  test('a throttled create is not looked up (it did not happen) and stays a transient error', async () => {
    h.fake.control.addFault({ method: 'POST', path: '/events', status: 429, retryAfterSeconds: 5, count: 1 });
    await expect(adapter.create(h.user, meeting('Throttled'), 't-1')).rejects.toMatchObject({
      name: 'TransientRemoteError',
      retryAfterMs: 5000,
    });
    expect(h.fake.control.countRequests('GET', '/events')).toBe(0);
  });

  test('listings page with more=true until the delta link; every page of the first round is a full listing', async () => {
    const small = new OutlookCalendarAdapter({
      api: h.connector.api,
      clock,
      pastDays: 30,
      futureDays: 90,
      pageSize: 2,
    });
    for (let i = 0; i < 5; i++) await small.create(h.user, meeting(`P${i}`, `2026-11-2${i}`), `p-${i}`);
    const pages = [];
    let cursor: string | undefined;
    for (let more = true; more;) {
      const page = await small.listChanges(h.user, 'calendar', cursor);
      pages.push(page);
      cursor = page.nextCursor;
      more = page.more;
    }
    expect(pages.map((p) => [p.changes.length, p.fullListing, p.more])).toEqual([
      [2, true, true],
      [2, true, true],
      [1, true, false],
    ]);
  });

  test('only the primary calendar folder is supported; deleting twice is fine', async () => {
    await expect(adapter.listChanges(h.user, 'inbox', undefined)).rejects.toMatchObject({
      name: 'PermanentRemoteError',
    });
    const created = await adapter.create(h.user, meeting('Twice deleted'), 'd-1');
    await adapter.delete(h.user, created.id);
    await expect(adapter.delete(h.user, created.id)).resolves.toBeUndefined();
  });
});
