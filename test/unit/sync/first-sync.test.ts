import { calendarMatchKeys } from '../../../shared/sync/calendar-match';
import type { CalendarEvent } from '../../../shared/sync/calendar-event';
import { runPull } from '../../../shared/sync/pull';
import { FaultPlan, LogicalClock } from '../../property/support/faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from '../../property/support/memory-stores';
import { MemorySide } from '../../property/support/memory-side';
import { DEFAULT_POLICY, USER, World } from '../../property/support/world';

const event = (subject: string, start: string, timeZone: string, end: string): CalendarEvent => ({
  subject,
  body: '',
  location: '',
  isAllDay: false,
  start: { local: start, timeZone },
  end: { local: end, timeZone },
  isCancelled: false,
  attendees: [],
});

describe('first sync matches before it writes', () => {
  test('a populated pair of calendars holding the same events pairs them all, with zero creates', async () => {
    const clock = new LogicalClock();
    const faults = new FaultPlan();
    // Same meetings, but each side speaks its own zone and its own spelling of the subject.
    const dingtalk = new MemorySide<CalendarEvent>('dingtalk', 'calendar', clock, faults, calendarMatchKeys);
    const outlook = new MemorySide<CalendarEvent>('outlook', 'calendar', clock, faults, calendarMatchKeys);
    const subjects = ['Weekly sync', 'Design review', '季度 计划', 'Lunch & learn', '1:1 Li Lei'];
    subjects.forEach((subject, n) => {
      const hour = String(9 + n).padStart(2, '0');
      const utcHour = String(1 + n).padStart(2, '0');
      dingtalk.userCreate(
        event(subject, `2026-03-0${n + 1}T${hour}:00:00`, 'Asia/Shanghai', `2026-03-0${n + 1}T${hour}:30:00`),
      );
      outlook.userCreate(
        event(
          `  ${subject.toUpperCase()} `,
          `2026-03-0${n + 1}T${utcHour}:00:00`,
          'UTC',
          `2026-03-0${n + 1}T${utcHour}:30:00`,
        ),
      );
    });
    const links = new MemoryLinkStore(faults);
    const stores = { links, intents: new MemoryIntentStore(faults), audit: new MemoryAuditSink(faults) };
    const pull = (pulled: typeof dingtalk, other: typeof dingtalk) =>
      runPull({
        user: USER,
        pulled: { adapter: pulled, folder: 'f' },
        other: { adapter: other, folder: 'f' },
        cursor: undefined,
        policy: DEFAULT_POLICY,
        now: () => clock.now(),
        ...stores,
      });

    const first = await pull(dingtalk, outlook);
    // Subjects differ in case and spacing, so the content differs: newest (outlook) wins, once per event.
    expect(first.stats.actions).toEqual({ 'update-pulled': 5 });
    expect(first.stats.conflicts).toBe(5);
    const second = await pull(outlook, dingtalk);
    expect(second.stats.actions).toEqual({ 'no-op': 5 });
    expect(dingtalk.calls.create + outlook.calls.create).toBe(0);
    expect(links.all()).toHaveLength(5);
  });

  test('identical items on both sides: links only, no creates and no updates', async () => {
    const world = new World();
    for (let n = 1; n <= 20; n += 1) {
      world.sides.dingtalk.userCreate({ uid: `u${n}`, title: `t${n}`, body: '' });
      world.sides.outlook.userCreate({ uid: `u${n}`, title: `t${n}`, body: '' });
    }
    const first = await world.pull('outlook');
    expect(first.result?.stats.actions).toEqual({ link: 20 });
    await world.quiesce();
    expect(world.remoteWrites()).toBe(0);
    expect(world.divergences()).toEqual([]);
  });

  test('items on one side only are copied; an item already paired is not matched again', async () => {
    const world = new World();
    world.sides.dingtalk.userCreate({ uid: 'u1', title: 'a', body: '' });
    world.sides.outlook.userCreate({ uid: 'u1', title: 'a', body: '' });
    world.sides.outlook.userCreate({ uid: 'u1', title: 'a', body: '' }); // a duplicate the user already had
    world.sides.outlook.userCreate({ uid: 'u2', title: 'b', body: '' });
    await world.quiesce();
    expect(
      world.sides.dingtalk
        .liveItems()
        .map((item) => item.projection.uid)
        .sort(),
    ).toEqual(['u1', 'u1', 'u2']);
    expect(world.links.all().filter((link) => !link.tombstone)).toHaveLength(3);
  });

  test('a resync of a synced pair (expired cursors) writes nothing', async () => {
    const world = new World();
    for (let n = 1; n <= 5; n += 1) world.sides.dingtalk.userCreate({ uid: `u${n}`, title: 't', body: '' });
    await world.quiesce();
    const writes = world.remoteWrites();
    world.sides.dingtalk.expireCursors();
    world.sides.outlook.expireCursors();
    const outcome = await world.pull('dingtalk');
    expect(outcome.result).toMatchObject({
      outcome: 'synced',
      resynced: true,
      stats: { actions: { 'no-op': 5 } },
    });
    await world.quiesce();
    expect(world.remoteWrites()).toBe(writes);
  });
});
