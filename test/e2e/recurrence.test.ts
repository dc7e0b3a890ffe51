import type { GraphCollection, GraphEvent } from '../../shared/connectors/graph/wire-types';
import {
  dingtalkWith as dingtalkOf,
  expectNoEchoWrites as noEcho,
  outlookWith as outlookOf,
  subjectOf,
} from './support/calendars';
import { startPipeline, type Person, type Pipeline } from './support/pipeline';

/**
 * Recurring series and their changed or cancelled occurrences, end to end. DingTalk keeps a changed occurrence as
 * an event of its own that names its series master; Outlook keeps it as an exception of its master. Each scenario
 * changes one side as a person would, waits for quiet, and checks the other side, duplicates, that the calendar
 * keeps syncing (no stuck pull) and that a sweep afterwards writes nothing.
 */
let p: Pipeline;

const DAY_MS = 86_400_000;
/** yyyy-MM-dd, `days` after today (UTC). */
const dayAfter = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);
const outlookWith = (person: Person, subject: string) => outlookOf(p, person, subject);
const dingtalkWith = (person: Person, subject: string) => dingtalkOf(p, person, subject);

/** What Outlook shows of a series around one day: occurrences and exceptions, as its instances API lists them. */
async function instancesOn(person: Person, masterId: string, day: string): Promise<GraphEvent[]> {
  const from = new Date(Date.parse(`${day}T00:00:00Z`) - DAY_MS).toISOString();
  const to = new Date(Date.parse(`${day}T00:00:00Z`) + 2 * DAY_MS).toISOString();
  const page = await p.services.graph.api.get<GraphCollection<GraphEvent>>(
    `/users/${person.entraId}/events/${masterId}/instances?startDateTime=${from}&endDateTime=${to}`,
    { mailbox: person.entraId, prefer: ['outlook.timezone="UTC"'] },
  );
  return page.value;
}

const startingOn = (instances: GraphEvent[], originalStart: string) =>
  instances.filter((i) => i.originalStart && Date.parse(i.originalStart) === Date.parse(originalStart));

async function calendarFailures(person: Person) {
  return (await p.app.stores.failures.list()).filter(
    (f) => f.work.pairId === person.entraId && f.work.kind === 'calendar',
  );
}

async function auditReasons(action: string): Promise<string[]> {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  return (await p.app.stores.audit.listDay(day)).filter((r) => r.action === action).map((r) => r.reason);
}

const expectNoEchoWrites = () => noEcho(p);

function dingtalkSeries(person: Person, summary: string, hourUtc: number, days: number) {
  const local = `${dayAfter(1)}T${String(hourUtc + 8).padStart(2, '0')}:00:00+08:00`;
  const end = `${dayAfter(1)}T${String(hourUtc + 8).padStart(2, '0')}:30:00+08:00`;
  return p.dingtalk.control.userCreatesEvent(person.unionId, {
    summary,
    start: { dateTime: local, timeZone: 'Asia/Shanghai' },
    end: { dateTime: end, timeZone: 'Asia/Shanghai' },
    recurrence: {
      pattern: { type: 'daily', interval: 1 },
      range: { type: 'numbered', numberOfOccurrences: days },
    },
  });
}

beforeAll(async () => {
  p = await startPipeline();
  await p.onboard();
}, 60000);

afterAll(async () => {
  await p?.stop();
});

describe('DingTalk series → Outlook', () => {
  let master: Record<string, unknown>;
  let outlookMasterId: string;
  let exceptionId: string;
  const moved = `${dayAfter(3)}T02:00:00Z`;
  const cancelled = `${dayAfter(4)}T02:00:00Z`;

  test('a changed occurrence becomes an exception of the Outlook series, and the calendar keeps syncing', async () => {
    const [zhang] = p.people;
    master = dingtalkSeries(zhang, 'Daily standup', 2, 6);
    await p.quiet();
    const [copy] = outlookWith(zhang, 'Daily standup');
    expect(outlookWith(zhang, 'Daily standup')).toHaveLength(1);
    expect(copy.type).toBe('seriesMaster');
    outlookMasterId = String(copy.id);

    const before = p.writes();
    p.dingtalk.control.userChangesOccurrence(zhang.unionId, String(master.id), moved, {
      patch: {
        summary: 'Daily standup (moved)',
        start: { dateTime: `${dayAfter(3)}T11:00:00+08:00`, timeZone: 'Asia/Shanghai' },
        end: { dateTime: `${dayAfter(3)}T11:30:00+08:00`, timeZone: 'Asia/Shanghai' },
      },
    });
    p.dingtalk.control.userCreatesEvent(zhang.unionId, {
      summary: 'After the exception',
      start: { dateTime: `${dayAfter(2)}T15:00:00+08:00`, timeZone: 'Asia/Shanghai' },
      end: { dateTime: `${dayAfter(2)}T16:00:00+08:00`, timeZone: 'Asia/Shanghai' },
    });
    await p.quiet();

    const [exception] = startingOn(await instancesOn(zhang, outlookMasterId, dayAfter(3)), moved);
    expect(exception).toMatchObject({
      type: 'exception',
      subject: 'Daily standup (moved)',
      seriesMasterId: outlookMasterId,
    });
    expect(Date.parse(exception.start!.dateTime + 'Z')).toBe(Date.parse(`${dayAfter(3)}T03:00:00Z`));
    exceptionId = exception.id;
    // The other occurrences keep the series' content; nothing became a stand-alone event.
    const [other] = startingOn(
      await instancesOn(zhang, outlookMasterId, dayAfter(2)),
      `${dayAfter(2)}T02:00:00Z`,
    );
    expect(other).toMatchObject({ type: 'occurrence', subject: 'Daily standup' });
    expect(outlookWith(zhang, 'Daily standup (moved)')).toHaveLength(0);
    expect(outlookWith(zhang, 'Daily standup')).toHaveLength(1);
    // The later change got through: nothing is stuck behind the occurrence.
    expect(outlookWith(zhang, 'After the exception')).toHaveLength(1);
    expect(await calendarFailures(zhang)).toEqual([]);
    expect(p.writes()).toEqual({ graph: before.graph + 2, dingtalk: before.dingtalk });
    await expectNoEchoWrites();
  });

  test('a cancelled occurrence disappears from the Outlook series, and its echo deletes nothing in DingTalk', async () => {
    const [zhang] = p.people;
    expect(startingOn(await instancesOn(zhang, outlookMasterId, dayAfter(4)), cancelled)).toHaveLength(1);
    const before = p.writes();
    p.dingtalk.control.clearExchanges();
    p.dingtalk.control.userChangesOccurrence(zhang.unionId, String(master.id), cancelled, {
      cancelled: true,
    });
    await p.quiet();
    expect(startingOn(await instancesOn(zhang, outlookMasterId, dayAfter(4)), cancelled)).toHaveLength(0);
    expect(startingOn(await instancesOn(zhang, outlookMasterId, dayAfter(3)), moved)).toHaveLength(1);
    expect(outlookWith(zhang, 'Daily standup')).toHaveLength(1);
    expect(await calendarFailures(zhang)).toEqual([]);
    expect(p.writes().graph).toBe(before.graph + 1);
    // Outlook reports the removed occurrence as a deletion: both sides are gone, so DingTalk's cancelled
    // occurrence is not deleted in turn.
    const dingtalkDeletes = p.dingtalk.control
      .exchanges()
      .filter((x) => x.family === 'v1' && x.method === 'DELETE');
    expect(dingtalkDeletes).toEqual([]);
    await expectNoEchoWrites();
  });

  test('an Outlook edit of that exception reaches the DingTalk occurrence', async () => {
    const [zhang] = p.people;
    const before = p.writes();
    p.graph.control.updateEvent(zhang.entraId, exceptionId, { subject: 'Daily standup (moved, agenda)' });
    await p.quiet();
    const occurrences = p.dingtalk.control
      .calendarOf(zhang.unionId)
      .filter((e) => e.seriesMasterId === master.id && e.status !== 'cancelled');
    expect(occurrences.map(subjectOf)).toEqual(['Daily standup (moved, agenda)']);
    expect(dingtalkWith(zhang, 'Daily standup')).toHaveLength(1);
    expect(await calendarFailures(zhang)).toEqual([]);
    expect(p.writes()).toEqual({ graph: before.graph, dingtalk: before.dingtalk + 1 });
    await expectNoEchoWrites();
  });

  test('editing the series in DingTalk keeps its synced exception on both sides', async () => {
    const [zhang] = p.people;
    p.dingtalk.control.userUpdatesEvent(zhang.unionId, String(master.id), { description: 'New agenda' });
    await p.quiet();
    const [copy] = outlookWith(zhang, 'Daily standup');
    expect((copy.body as { content: string }).content).toContain('New agenda');
    const [exception] = startingOn(await instancesOn(zhang, outlookMasterId, dayAfter(3)), moved);
    expect(exception).toMatchObject({ type: 'exception', subject: 'Daily standup (moved, agenda)' });
    const occurrences = p.dingtalk.control
      .calendarOf(zhang.unionId)
      .filter((e) => e.seriesMasterId === master.id && e.status !== 'cancelled');
    expect(occurrences.map(subjectOf)).toEqual(['Daily standup (moved, agenda)']);
    expect(await calendarFailures(zhang)).toEqual([]);
    await expectNoEchoWrites();
  });

  test('changing the same occurrence again in DingTalk changes the same Outlook occurrence', async () => {
    const [zhang] = p.people;
    const before = p.writes();
    p.dingtalk.control.userChangesOccurrence(zhang.unionId, String(master.id), moved, {
      patch: { summary: 'Daily standup (moved twice)' },
    });
    await p.quiet();
    const atMoved = startingOn(await instancesOn(zhang, outlookMasterId, dayAfter(3)), moved);
    expect(atMoved).toEqual([
      expect.objectContaining({ id: exceptionId, type: 'exception', subject: 'Daily standup (moved twice)' }),
    ]);
    expect(await calendarFailures(zhang)).toEqual([]);
    expect(p.writes()).toEqual({ graph: before.graph + 1, dingtalk: before.dingtalk });
    await expectNoEchoWrites();
  });

  test('an occurrence Outlook does not have is refused for that item alone, and the calendar keeps syncing', async () => {
    const [zhang] = p.people;
    const before = p.writes();
    // No occurrence of the series starts at 05:00 UTC, so Outlook has nothing to change.
    p.dingtalk.control.userChangesOccurrence(zhang.unionId, String(master.id), `${dayAfter(5)}T05:00:00Z`, {
      patch: { summary: 'Daily standup (odd hour)' },
    });
    p.dingtalk.control.userCreatesEvent(zhang.unionId, {
      summary: 'After the odd occurrence',
      start: { dateTime: `${dayAfter(2)}T17:00:00+08:00`, timeZone: 'Asia/Shanghai' },
      end: { dateTime: `${dayAfter(2)}T18:00:00+08:00`, timeZone: 'Asia/Shanghai' },
    });
    await p.quiet();
    expect(outlookWith(zhang, 'After the odd occurrence')).toHaveLength(1);
    expect(outlookWith(zhang, 'Daily standup (odd hour)')).toHaveLength(0);
    expect(await calendarFailures(zhang)).toEqual([]);
    expect(await auditReasons('failure')).toContainEqual(
      expect.stringContaining('the Outlook series has no occurrence at'),
    );
    expect(p.writes()).toEqual({ graph: before.graph + 1, dingtalk: before.dingtalk });
    await expectNoEchoWrites();
  });

  test('an occurrence listed before its series master in the same pull still finds the master', async () => {
    const [, alice] = p.people;
    // Changing the series after the occurrence puts the occurrence first in DingTalk's listing.
    const series = dingtalkSeries(alice, 'Weekly planning', 1, 4);
    const at = `${dayAfter(2)}T01:00:00Z`;
    p.dingtalk.control.userChangesOccurrence(alice.unionId, String(series.id), at, {
      patch: { summary: 'Weekly planning (special)' },
    });
    p.dingtalk.control.userUpdatesEvent(alice.unionId, String(series.id), { description: 'Bring numbers' });
    await p.quiet();
    const copies = outlookWith(alice, 'Weekly planning');
    expect(copies).toHaveLength(1);
    const [exception] = startingOn(await instancesOn(alice, String(copies[0].id), dayAfter(2)), at);
    expect(exception).toMatchObject({ type: 'exception', subject: 'Weekly planning (special)' });
    expect(outlookWith(alice, 'Weekly planning (special)')).toHaveLength(0);
    expect(await calendarFailures(alice)).toEqual([]);
    await expectNoEchoWrites();
  });
});

describe('Outlook series → DingTalk', () => {
  test('the series arrives once; its changed occurrence is refused per item and audited, and the calendar keeps syncing', async () => {
    const [, , bob] = p.people;
    const created = p.graph.control.createEvent(bob.entraId, {
      subject: 'Team sync',
      start: { dateTime: `${dayAfter(1)}T09:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${dayAfter(1)}T09:30:00`, timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'daily', interval: 1 },
        range: { type: 'numbered', startDate: dayAfter(1), numberOfOccurrences: 5 },
      },
    });
    await p.quiet();
    expect(dingtalkWith(bob, 'Team sync')).toHaveLength(1);

    const at = `${dayAfter(2)}T09:00:00Z`;
    const [occurrence] = startingOn(await instancesOn(bob, String(created.id), dayAfter(2)), at);
    const before = p.writes();
    p.graph.control.updateEvent(bob.entraId, occurrence.id, { subject: 'Team sync (moved)' });
    p.graph.control.createEvent(bob.entraId, {
      subject: 'After the Outlook exception',
      start: { dateTime: `${dayAfter(2)}T13:00:00`, timeZone: 'UTC' },
      end: { dateTime: `${dayAfter(2)}T14:00:00`, timeZone: 'UTC' },
    });
    await p.quiet();

    expect(dingtalkWith(bob, 'After the Outlook exception')).toHaveLength(1);
    expect(dingtalkWith(bob, 'Team sync (moved)')).toHaveLength(0);
    expect(dingtalkWith(bob, 'Team sync')).toHaveLength(1);
    expect(await calendarFailures(bob)).toEqual([]);
    expect(await auditReasons('failure')).toContainEqual(
      expect.stringContaining('DingTalk cannot create a single occurrence of a series through the API'),
    );
    expect(p.writes()).toEqual({ graph: before.graph, dingtalk: before.dingtalk + 1 });
    await expectNoEchoWrites();
  });
});
