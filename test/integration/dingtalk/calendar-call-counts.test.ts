import { ManualClock } from '../../../shared/platform/clock';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { VersionConflictRemoteError } from '../../../shared/sync/types';
import { calendarEvent } from '../../support/calendar-event';
import { type Harness, startHarness } from './support/harness';

/**
 * The DingTalk calls each calendar adapter operation costs, pinned (docs/dingtalk.md, "Conditional writes"):
 * DingTalk has no conditional write, so a conditional update or delete pays one GetEvent before writing, unless
 * the engine's own get() of that event came less than a second earlier; a stale version stops after that read.
 */

let h: Harness;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  h = await startHarness({ clock });
});
afterEach(() => h.stop());

const event = (subject: string): CalendarEvent =>
  calendarEvent({
    subject,
    start: { local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-23T10:30:00', timeZone: 'Asia/Shanghai' },
  });

/** The calendar operations `action` sends, by DingTalk operation name (token requests apart). */
async function callsOf(action: () => Promise<unknown>): Promise<string[]> {
  h.fake.control.clearExchanges();
  await action();
  return h.fake.control
    .exchanges()
    .filter((e) => e.path.includes('/calendar/'))
    .map((e) => `${e.method} ${e.template.replace(/^.*\/calendars\/\{calendarId\}/, '')}`);
}

describe('DingTalk calls per calendar operation', () => {
  test('get, create, update and delete without an expected version: one call each', async () => {
    const created = await h.adapter.create(h.alice, event('One'), 'origin-1');
    expect(await callsOf(() => h.adapter.get(h.alice, created.id))).toEqual(['GET /events/{eventId}']);
    expect(await callsOf(() => h.adapter.create(h.alice, event('Two'), 'origin-2'))).toEqual([
      'POST /events',
    ]);
    expect(await callsOf(() => h.adapter.update(h.alice, created.id, event('Renamed')))).toEqual([
      'PUT /events/{eventId}',
    ]);
    expect(await callsOf(() => h.adapter.delete(h.alice, created.id))).toEqual(['DELETE /events/{eventId}']);
  });

  test('a conditional update or delete: one GetEvent, then the write', async () => {
    const created = await h.adapter.create(h.alice, event('One'), 'origin-1');
    let version = created.version;
    expect(
      await callsOf(async () => {
        version = (await h.adapter.update(h.alice, created.id, event('Renamed'), version)).version;
      }),
    ).toEqual(['GET /events/{eventId}', 'PUT /events/{eventId}']);
    expect(await callsOf(() => h.adapter.delete(h.alice, created.id, version))).toEqual([
      'GET /events/{eventId}',
      'DELETE /events/{eventId}',
    ]);
  });

  test('a stale version: the GetEvent only, and VersionConflictRemoteError', async () => {
    const created = await h.adapter.create(h.alice, event('One'), 'origin-1');
    h.fake.control.userUpdatesEvent(h.alice.dingtalkUnionId, created.id, { summary: 'Edited in DingTalk' });
    let error: unknown;
    const calls = await callsOf(() =>
      h.adapter.update(h.alice, created.id, event('Ours'), created.version).catch((err) => (error = err)),
    );
    expect(error).toBeInstanceOf(VersionConflictRemoteError);
    expect(calls).toEqual(['GET /events/{eventId}']);
  });

  test('right after a get() of the event, that read is the check: the write alone, or a conflict at no cost', async () => {
    const created = await h.adapter.create(h.alice, event('One'), 'origin-1');
    const read = await h.adapter.get(h.alice, created.id);
    expect(
      await callsOf(() => h.adapter.update(h.alice, created.id, event('Renamed'), read!.version)),
    ).toEqual(['PUT /events/{eventId}']);

    // After our own write the memo is gone: the next conditional write reads again.
    const updated = await h.adapter.get(h.alice, created.id);
    h.fake.control.userUpdatesEvent(h.alice.dingtalkUnionId, created.id, { summary: 'Edited in DingTalk' });
    const seenEdit = await h.adapter.get(h.alice, created.id);
    let error: unknown;
    const calls = await callsOf(() =>
      h.adapter.delete(h.alice, created.id, updated!.version).catch((err) => (error = err)),
    );
    expect(error).toBeInstanceOf(VersionConflictRemoteError);
    expect(calls).toEqual([]);
    expect(seenEdit?.projection.subject).toBe('Edited in DingTalk');
  });

  test('a get() more than a second old does not count: the write reads again', async () => {
    const created = await h.adapter.create(h.alice, event('One'), 'origin-1');
    const read = await h.adapter.get(h.alice, created.id);
    clock.advance(1001);
    expect(
      await callsOf(() => h.adapter.update(h.alice, created.id, event('Renamed'), read!.version)),
    ).toEqual(['GET /events/{eventId}', 'PUT /events/{eventId}']);
  });

  test('a listing page: one ListEvents', async () => {
    await h.adapter.create(h.alice, event('One'), 'origin-1');
    expect(await callsOf(() => h.adapter.listChanges(h.alice, 'primary', undefined))).toEqual([
      'GET /events',
    ]);
  });
});
