import type { FaultRule } from '../../sandbox/graph/faults';
import { subjectOf, sweepAll as sweepFolders } from './support/calendars';
import { startPipeline, type Person, type Pipeline } from './support/pipeline';
import { suiteSeed } from '../support/randomness';

/**
 * The product end to end under faults on both services at once: throttling and outages, lost and repeated
 * notifications and callbacks, expired cursors on both sides and a subscription Graph removed. Once the faults stop
 * and the timer has run, both calendars of every person hold the same events, once each, and a sweep writes
 * nothing.
 */
let p: Pipeline;
/**
 * The storm's callback drops and duplicates come from this seed. Without TEST_SEED it is the one known to both drop
 * and duplicate (the checks below need both); TEST_SEED plays another storm, and a failing one again.
 */
const STORM_SEED = 7;
let stormSeed: number;

beforeAll(async () => {
  stormSeed = suiteSeed(STORM_SEED);
  p = await startPipeline();
  await p.onboard();
  await p.quiet({ timer: true });
}, 60_000);

afterAll(async () => {
  await p?.stop();
});

const DAY = 86400e3;
/** A local time on the day after tomorrow, so that nothing is near the window's edges. */
const at = (hour: number) => {
  const d = new Date(Date.now() + 2 * DAY);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
};

/** mulberry32: the callbacks' drops and duplicates are random, but the same for the same seed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Seen {
  subject: string;
  start: number;
  end: number;
}
type Slot = { dateTime: string };
const seen = (subject: string, start: number, end: number): Seen => ({ subject, start, end });
const sorted = (events: Seen[]) =>
  [...events].sort((a, b) => a.subject.localeCompare(b.subject) || a.start - b.start);

/** Outlook as the user sees it (the fake renders times in UTC without an offset). */
const outlookOf = (person: Person): Seen[] =>
  p.graph.control.listEvents(person.entraId).map((e) => {
    const utc = (t: unknown) => Date.parse(`${(t as Slot).dateTime}Z`);
    return seen(subjectOf(e), utc(e.start), utc(e.end));
  });
/** DingTalk as the user sees it (times carry their offset). */
const dingtalkOf = (person: Person): Seen[] =>
  p.dingtalk.control
    .calendarOf(person.unionId)
    .filter((e) => e.status !== 'cancelled')
    .map((e) =>
      seen(subjectOf(e), Date.parse((e.start as Slot).dateTime), Date.parse((e.end as Slot).dateTime)),
    );

const sweepAll = (reason: string) => sweepFolders(p, reason);

/** What the timer's retry step enqueues once a failure is due, without waiting for its backoff. */
async function retryFailures(): Promise<number> {
  const failures = await p.app.stores.failures.list();
  for (const failure of failures.filter((f) => !f.permanent)) {
    await p.app.stores.workQueue.enqueue({ ...failure.work, reason: 'retry' });
  }
  return failures.length;
}

test('faults on both sides during a burst of edits on both sides: everything converges, once, and a sweep writes nothing', async () => {
  const people = p.people;
  const expected = new Map<string, Seen[]>(people.map((x) => [x.entraId, []]));
  const utcHour = (local: string, offsetHours: number) => Date.parse(`${local}Z`) - offsetHours * 3600e3;
  const dingtalkEvent = (person: Person, subject: string, hour: number) => {
    const created = p.dingtalk.control.userCreatesEvent(person.unionId, {
      summary: subject,
      start: { dateTime: `${at(hour)}+08:00`, timeZone: 'Asia/Shanghai' },
      end: { dateTime: `${at(hour + 1)}+08:00`, timeZone: 'Asia/Shanghai' },
    });
    return { id: String(created.id), start: utcHour(at(hour), 8), end: utcHour(at(hour + 1), 8) };
  };
  const outlookEvent = (person: Person, subject: string, hour: number) => {
    const created = p.graph.control.createEvent(person.entraId, {
      subject,
      start: { dateTime: at(hour), timeZone: 'UTC' },
      end: { dateTime: at(hour + 1), timeZone: 'UTC' },
    });
    return { id: String(created.id), start: utcHour(at(hour), 0), end: utcHour(at(hour + 1), 0) };
  };

  // Before the storm: one event from each side per person, mirrored.
  const seeds = new Map<
    string,
    { fromDingtalk: { start: number; end: number }; fromOutlook: { start: number; end: number } }
  >();
  for (const [i, person] of people.entries()) {
    const fromDingtalk = dingtalkEvent(person, `seed D ${i}`, 8);
    const fromOutlook = outlookEvent(person, `seed O ${i}`, 12);
    seeds.set(person.entraId, { fromDingtalk, fromOutlook });
  }
  await p.quiet({ timer: true });

  // The storm.
  const graphFaults: FaultRule[] = [
    p.graph.control.addFault({ path: /\/calendarView\/delta/, status: 429, retryAfterSeconds: 1, count: 2 }),
    p.graph.control.addFault({ method: 'POST', path: /\/events$/, status: 503, count: 2 }),
    p.graph.control.addFault({ method: 'PATCH', path: /\/events\//, status: 503, count: 3 }),
  ];
  p.dingtalk.control.injectFault({ path: '/calendars/primary/events', kind: 'systemBusy', times: 2 });
  p.dingtalk.control.injectFault({ path: '/calendars/primary/events', kind: 'qpsLimit', times: 2 });
  p.graph.control.dropNotifications(2);
  p.graph.control.duplicateNotifications(3);
  p.dingtalk.control.setCallbackBehaviour({
    dropProbability: 0.3,
    duplicateProbability: 0.5,
    duplicateCount: 1,
    random: seeded(stormSeed),
  });

  const d1 = new Map<string, string>();
  const o1 = new Map<string, string>();
  for (const [i, person] of people.entries()) {
    const seed = seeds.get(person.entraId)!;
    // Each person edits both mirrors on the side they did not start on.
    const [outlookCopy] = p.graph.control
      .listEvents(person.entraId)
      .filter((e) => subjectOf(e) === `seed D ${i}`);
    p.graph.control.updateEvent(person.entraId, String(outlookCopy.id), {
      subject: `seed D ${i} (Outlook edit)`,
    });
    const [dingtalkCopy] = p.dingtalk.control
      .calendarOf(person.unionId)
      .filter((e) => subjectOf(e) === `seed O ${i}`);
    p.dingtalk.control.userUpdatesEvent(person.unionId, String(dingtalkCopy.id), {
      summary: `seed O ${i} (DingTalk edit)`,
    });
    expected
      .get(person.entraId)!
      .push(
        seen(`seed D ${i} (Outlook edit)`, seed.fromDingtalk.start, seed.fromDingtalk.end),
        seen(`seed O ${i} (DingTalk edit)`, seed.fromOutlook.start, seed.fromOutlook.end),
      );
    d1.set(person.entraId, dingtalkEvent(person, `storm D1 ${i}`, 9).id);
    o1.set(person.entraId, outlookEvent(person, `storm O1 ${i}`, 14).id);
  }

  // Both cursors die, and Graph drops one subscription (and says so).
  p.graph.control.expireDeltaTokens();
  p.dingtalk.control.invalidateSyncTokens();
  const [first] = people;
  const removed = (await p.app.stores.subscriptions.listByPair(first.entraId))[0];
  expect(p.graph.control.removeSubscription(removed.subscriptionId)).toBe(true);

  for (const [i, person] of people.entries()) {
    // D1 moves an hour later and is renamed; O1 is deleted; new events on both sides.
    p.dingtalk.control.userUpdatesEvent(person.unionId, d1.get(person.entraId)!, {
      summary: `storm D1 ${i} v2`,
      start: { dateTime: `${at(10)}+08:00`, timeZone: 'Asia/Shanghai' },
      end: { dateTime: `${at(11)}+08:00`, timeZone: 'Asia/Shanghai' },
    });
    p.graph.control.deleteEvent(person.entraId, o1.get(person.entraId)!);
    const d2 = dingtalkEvent(person, `storm D2 ${i}`, 16);
    const o2 = outlookEvent(person, `storm O2 ${i}`, 18);
    expected
      .get(person.entraId)!
      .push(
        seen(`storm D1 ${i} v2`, utcHour(at(10), 8), utcHour(at(11), 8)),
        seen(`storm D2 ${i}`, d2.start, d2.end),
        seen(`storm O2 ${i}`, o2.start, o2.end),
      );
  }
  // Created while the first person has no subscription: no notification can announce it.
  const unannounced = outlookEvent(first, 'made while unsubscribed', 20);
  expected.get(first.entraId)!.push(seen('made while unsubscribed', unannounced.start, unannounced.end));

  await p.quiet({ timer: true });
  // The storm did hit: every Graph fault struck (how often depends on how many calls the pulls needed), DingTalk
  // refused calls, pulls failed and were recorded.
  for (const rule of graphFaults) expect(rule.hits).toBeGreaterThan(0);
  expect(p.app.logLines.some((l) => l.line.includes('DingTalk QPS limit'))).toBe(true);
  expect(p.app.logLines.some((l) => l.line.includes('pull failed'))).toBe(true);
  expect(p.dingtalk.control.deliveries().some((d) => d.attempt === -1)).toBe(true);
  expect(p.dingtalk.control.deliveries().some((d) => d.attempt > 0)).toBe(true);

  // The weather clears; the timer runs (recreating the subscription, retrying failures) until all is quiet.
  p.graph.control.clearFaults();
  p.dingtalk.control.clearFaults();
  p.dingtalk.control.setCallbackBehaviour({ dropProbability: 0, duplicateProbability: 0 });
  for (let round = 0; round < 5; round++) {
    await p.host.invoke('maintenance');
    const pending = await retryFailures();
    await sweepAll('chaos-sweep');
    await p.quiet({ timer: true });
    if (pending === 0 && (await p.app.stores.failures.list()).length === 0) break;
  }
  expect(await p.app.stores.failures.list()).toEqual([]);

  for (const person of people) {
    const want = sorted(expected.get(person.entraId)!);
    expect(sorted(outlookOf(person))).toEqual(want);
    expect(sorted(dingtalkOf(person))).toEqual(want);
  }

  // The removed subscription was recreated: one per person at Graph, each recorded.
  const atGraph = p.graph.control.subscriptions().map((x) => String(x.id));
  const recorded = (await p.app.stores.subscriptions.listAll()).map((r) => r.subscriptionId);
  expect(atGraph.sort()).toEqual(recorded.sort());
  expect(atGraph).toHaveLength(people.length);
  expect(atGraph).not.toContain(removed.subscriptionId);

  // Quiet means quiet: a full sweep of every folder writes nothing on either side.
  const before = p.writes();
  await p.host.invoke('maintenance');
  await sweepAll('final-sweep');
  await p.quiet({ timer: true });
  expect(p.writes()).toEqual(before);
}, 90_000);
