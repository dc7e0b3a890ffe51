import { ManualClock } from '../../../shared/platform/clock';
import { decodeCursor, encodeCursor } from '../../../shared/connectors/graph/calendar-cursor';
import type { OutlookCalendarAdapter } from '../../../shared/connectors/graph/calendar-adapter';
import type { GraphCollection, GraphEvent } from '../../../shared/connectors/graph/wire-types';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import type { KnownItem } from '../../../shared/connectors/graph/calendar-page-resolver';
import { isDeletion, VersionConflictRemoteError } from '../../../shared/sync/types';
import { drain } from '../../contract/calendar-adapter.contract';
import { startGraphHarness, type GraphHarness } from '../../support/graph/graph-harness';
import { calendarEvent } from '../../support/calendar-event';

/**
 * The Graph requests each adapter operation costs, pinned (docs/graph.md, "Calls per operation"): conditional
 * writes ride on If-Match and cost nothing extra, and an edited occurrence of a series already reported costs one
 * event read, not two.
 */

let h: GraphHarness;
let adapter: OutlookCalendarAdapter;

beforeEach(async () => {
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startGraphHarness({ clock, pastDays: 30, futureDays: 90 });
  adapter = h.connector.calendar;
});
afterEach(() => h.stop());

const meeting = (subject: string, extra: Partial<CalendarEvent> = {}): CalendarEvent =>
  calendarEvent({
    subject,
    start: { local: '2026-11-25T09:00:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-25T10:00:00', timeZone: 'Asia/Shanghai' },
    ...extra,
  });

const weekly = meeting('Weekly', {
  start: { local: '2026-11-23T09:00:00', timeZone: 'Asia/Shanghai' },
  end: { local: '2026-11-23T10:00:00', timeZone: 'Asia/Shanghai' },
  recurrence: {
    pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
    range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 4 },
  },
});

/** The Graph requests `action` makes, as "METHOD shape" with ids replaced by {id}. */
async function callsOf(action: () => Promise<unknown>): Promise<string[]> {
  h.fake.control.clearRequests();
  await action();
  return h.fake.control.requests.map((r) => `${r.method} ${shape(r.path)}`);
}

function shape(path: string): string {
  return path
    .replace(/^\/v1\.0\/users\/[^/]+/, '')
    .replace(/\/events\/[^/]+/, '/events/{id}')
    .replace(/^\//, '');
}

const listing = (cursor?: string) => drain({ adapter, user: h.user, folder: 'calendar' } as never, cursor);

describe('Graph calls per Outlook calendar operation', () => {
  test('get, create and delete: one request each, conditional or not', async () => {
    const created = await adapter.create(h.user, meeting('One'), 'origin-1');
    expect(await callsOf(() => adapter.get(h.user, created.id))).toEqual(['GET events/{id}']);
    expect(await callsOf(() => adapter.create(h.user, meeting('Two'), 'origin-2'))).toEqual(['POST events']);
    expect(await callsOf(() => adapter.delete(h.user, created.id, created.version))).toEqual([
      'DELETE events/{id}',
    ]);
  });

  test('an update of a single event: one PATCH, conditional or not', async () => {
    const created = await adapter.create(h.user, meeting('One'), 'origin-1');
    const update = (expected?: string) => adapter.update(h.user, created.id, meeting('Renamed'), expected);
    const updated = await update(created.version);
    expect(await callsOf(() => update(updated.version))).toEqual(['PATCH events/{id}']);
    expect(await callsOf(() => update())).toEqual(['PATCH events/{id}']);
  });

  test('an update of a series: its read, then the PATCH; a stale version stops after the read', async () => {
    const series = await adapter.create(h.user, weekly, 'origin-series');
    const renamed = { ...weekly, subject: 'Weekly, renamed' };
    expect(await callsOf(() => adapter.update(h.user, series.id, renamed, series.version))).toEqual([
      'GET events/{id}',
      'PATCH events/{id}',
    ]);
    await expect(adapter.update(h.user, series.id, weekly, series.version)).rejects.toBeInstanceOf(
      VersionConflictRemoteError,
    );
    expect(h.fake.control.countRequests('PATCH', '/events/')).toBe(1);
  });

  test('a delta page: the page, plus one read per changed event; an edited occurrence of a known series, one', async () => {
    const single = await adapter.create(h.user, meeting('One'), 'origin-1');
    const series = await adapter.create(h.user, weekly, 'origin-series');
    const first = await listing();

    h.fake.control.updateEvent(h.user.entraId, single.id, { subject: 'Edited in Outlook' });
    let cursor = first.cursor;
    expect(await callsOf(async () => (cursor = (await listing(cursor)).cursor))).toEqual([
      'GET calendarView/delta',
      'GET events/{id}',
    ]);

    const instances = await h.connector.api.get<GraphCollection<GraphEvent>>(
      `/users/${h.user.entraId}/events/${series.id}/instances?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z`,
    );
    const occurrence = instances.value[0];
    h.fake.control.updateEvent(h.user.entraId, occurrence!.id, { subject: 'Moved this week' });
    const calls = await callsOf(() => listing(cursor));
    expect(calls).toEqual(['GET calendarView/delta', 'GET events/{id}']);
    expect(h.fake.control.requests[1]!.path).toContain(encodeURIComponent(occurrence!.id));
  });

  test('an edited occurrence of a series the cursor does not track: its master is read and reported first', async () => {
    const series = await adapter.create(h.user, weekly, 'origin-series');
    const baseline = await listing();
    const untracked = encodeCursor({ ...decodeCursor(baseline.cursor), masters: [] });
    const instances = await h.connector.api.get<GraphCollection<GraphEvent>>(
      `/users/${h.user.entraId}/events/${series.id}/instances?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z`,
    );
    h.fake.control.updateEvent(h.user.entraId, instances.value[1]!.id, { subject: 'Moved this week' });
    let reported: string[] = [];
    const calls = await callsOf(async () => {
      reported = (await listing(untracked)).changes.map((c) => c.id);
    });
    expect(calls).toEqual(['GET calendarView/delta', 'GET events/{id}', 'GET events/{id}']);
    expect(reported).toEqual([series.id, instances.value[1]!.id]);
  });

  test('rows the links already hold are not read again; new, changed and live removed rows are', async () => {
    const synced = await adapter.create(h.user, meeting('Synced'), 'origin-synced');
    const tombstoned = await adapter.create(h.user, meeting('Deleted on both sides'), 'origin-tomb');
    const live = await adapter.create(h.user, meeting('Deleted in Outlook'), 'origin-live');
    const baseline = await listing();
    // After the baseline: our own write whose link holds its version (an echo), an event edited since its link
    // was saved, a person's new event, and two deletions, one of an item whose link is already a tombstone.
    const echo = await adapter.create(h.user, meeting('Our copy'), 'origin-echo');
    h.fake.control.updateEvent(h.user.entraId, synced.id, { subject: 'Edited in Outlook' });
    const fresh = await adapter.create(h.user, meeting('New in Outlook'), 'origin-new');
    await adapter.delete(h.user, tombstoned.id);
    await adapter.delete(h.user, live.id);
    const links = new Map<string, KnownItem>([
      [echo.id, { version: echo.version, tombstone: false }],
      [synced.id, { version: synced.version, tombstone: false }],
      [tombstoned.id, { version: tombstoned.version, tombstone: true }],
      [live.id, { version: live.version, tombstone: false }],
    ]);
    const asked: string[][] = [];
    const withLinks = adapter.withKnownItems(async (user, ids) => {
      expect(user).toEqual(h.user);
      asked.push(ids);
      return new Map(ids.flatMap((id) => (links.has(id) ? [[id, links.get(id)!] as const] : [])));
    });
    let changes: Awaited<ReturnType<typeof drain>>['changes'] = [];
    const calls = await callsOf(async () => {
      changes = (
        await drain({ adapter: withLinks, user: h.user, folder: 'calendar' } as never, baseline.cursor)
      ).changes;
    });

    const reads = h.fake.control.requests.filter((r) => r.method === 'GET' && r.path.includes('/events/'));
    expect(calls).toEqual(['GET calendarView/delta', ...reads.map(() => 'GET events/{id}')]);
    expect(reads.map((r) => decodeURIComponent(r.path.split('/events/')[1]!.split('?')[0]!)).sort()).toEqual(
      [synced.id, fresh.id, live.id].sort(),
    );
    expect(asked.flat().sort()).toEqual([echo.id, synced.id, fresh.id, tombstoned.id, live.id].sort());
    const byId = new Map(changes.map((c) => [c.id, c]));
    expect(byId.get(echo.id)).toMatchObject({ version: echo.version });
    expect(byId.get(synced.id)).toMatchObject({ projection: { subject: 'Edited in Outlook' } });
    expect(byId.get(fresh.id)).toMatchObject({ originKey: 'origin-new' });
    expect(isDeletion(byId.get(tombstoned.id)!)).toBe(true);
    expect(isDeletion(byId.get(live.id)!)).toBe(true);
    expect(changes).toHaveLength(5);
  });
});
