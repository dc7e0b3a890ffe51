import { setAppContext } from '../../shared/app/context';
import { createIngressLookups } from '../../shared/app/ingress-lookups';
import { createServices, setServices, type Services } from '../../shared/app/services';
import { utcDay } from '../../shared/store/day';
import { SWEEP_SLOTS, sweepSlotOf } from '../../shared/store/user-repository';
import type { Config } from '../../shared/platform/config';
import type { AuditEntry } from '../../shared/sync/types';
import { dingtalkWith, outlookWith } from './support/calendars';
import { startPipeline, type Pipeline } from './support/pipeline';

/**
 * A deployment as the template leaves it (DRY_RUN=true), with the timer running: the first run reports what the
 * first sync would do, and the runs after it cost what they cost a live deployment, which for an idle user is no
 * metered DingTalk call, the next UTC day's new Outlook calendar window included. Then DRY_RUN is switched off and
 * everything is synced, including a change made during the dry run; and the next UTC day's new window costs the
 * live deployment no metered call either.
 *
 * Only the app's clock moves; timers, the fakes and Azurite run in real time. Each run below comes one Outlook
 * sweep period after the one before, so every run sweeps every Outlook calendar: before dry runs kept a cursor, each
 * of those sweeps listed the DingTalk calendar in full to match against it.
 */
const MIN = 60_000;
const MINUTES_A_DAY = 24 * 60;
const OUTLOOK_SWEEP_MINUTES = 5;
/** A week: one sweep slot a minute (SWEEP_SLOTS is a week of minutes), so the test can keep clear of its pairs' slots. */
const DINGTALK_SWEEP_HOURS = 168;
const RUNS_AFTER_THE_FIRST = 2;

let p: Pipeline;
const services: Services[] = [];
const days = new Set<string>();
/** The app's clock, ahead of the real one by as much as the test moves it; the fakes and Azurite keep real time. */
let ahead = 0;

beforeAll(async () => {
  p = await startPipeline({
    env: {
      DRY_RUN: 'true',
      OUTLOOK_SWEEP_MINUTES: String(OUTLOOK_SWEEP_MINUTES),
      DINGTALK_SWEEP_HOURS: String(DINGTALK_SWEEP_HOURS),
      // The fake DingTalk signs callbacks with real time, which the moved clock is up to half an hour ahead of.
      DINGTALK_CALLBACK_WINDOW_SECONDS: '86400',
    },
  });
  restart(p.app.config);
}, 60_000);

afterAll(async () => {
  for (const s of services) await s.close();
  await p?.stop();
});

/** The app as it runs after a start with these settings: its context and services built again, on the same tables. */
function restart(config: Config): void {
  const clock = { now: () => Date.now() + ahead };
  const app = { ...p.app, config, clock, lookups: createIngressLookups(p.app.stores, () => clock.now()) };
  setAppContext(app);
  services.push(createServices(app));
  setServices(services.at(-1));
}

/** Moves the app's clock to a second into `minute` and runs maintenance then, as the timer would; waits for quiet. */
async function maintenanceAt(minute: number): Promise<{ enqueued: { sweep: number; firstSync: number } }> {
  ahead = minute * MIN + 1000 - Date.now();
  days.add(utcDay(Date.now() + ahead));
  const report = (await p.host.invoke('maintenance')) as { enqueued: { sweep: number; firstSync: number } };
  await p.quiet();
  return report;
}

const metered = () => p.dingtalk.control.usage().metered;
const dryRunRows = async (): Promise<AuditEntry[]> =>
  (await Promise.all([...days].map((day) => p.app.stores.audit.listDay(day))))
    .flat()
    .filter((row) => row.action === 'dry-run');
const tomorrow = (hour: number) => {
  const d = new Date(Date.now() + ahead + 86400e3);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00`;
};

/**
 * The first minute from now from which the first runs keep clear of the weekly DingTalk sweep of one of the pairs'
 * slots (one metered call per pair a week, live or dry, and not what this test is about) and of UTC midnight, when
 * the Outlook calendar window moves on (graph/calendar-cursor.ts): the steps past midnight are steps of their own.
 */
function firstQuietMinute(): number {
  const slots = p.people.map((person) => sweepSlotOf(person.entraId));
  const span = (RUNS_AFTER_THE_FIRST + 2) * OUTLOOK_SWEEP_MINUTES + 2;
  const utcDayOf = (minute: number) => Math.floor(minute / MINUTES_A_DAY);
  for (let minute = Math.ceil(Date.now() / MIN) + 1; ; minute += 1) {
    const due = (slot: number) => (((slot - minute) % SWEEP_SLOTS) + SWEEP_SLOTS) % SWEEP_SLOTS <= span;
    if (!slots.some(due) && utcDayOf(minute) === utcDayOf(minute + span)) return minute;
  }
}

test('a dry run reports once, then costs an idle user no metered DingTalk call; going live syncs everything', async () => {
  const start = firstQuietMinute();
  const event = (subject: string, hour: number) => ({
    dingtalk: {
      summary: subject,
      start: { dateTime: `${tomorrow(hour)}+08:00`, timeZone: 'Asia/Shanghai' },
      end: { dateTime: `${tomorrow(hour + 1)}+08:00`, timeZone: 'Asia/Shanghai' },
    },
    outlook: {
      subject,
      start: { dateTime: tomorrow(hour), timeZone: 'Asia/Shanghai' },
      end: { dateTime: tomorrow(hour + 1), timeZone: 'Asia/Shanghai' },
    },
  });
  for (const person of p.people) {
    const both = event(`Weekly ${person.userid}`, 9);
    p.dingtalk.control.userCreatesEvent(person.unionId, both.dingtalk);
    p.graph.control.createEvent(person.entraId, both.outlook);
    p.dingtalk.control.userCreatesEvent(person.unionId, event(`DingTalk only ${person.userid}`, 11).dingtalk);
    p.graph.control.createEvent(person.entraId, event(`Outlook only ${person.userid}`, 14).outlook);
  }

  // The first run pairs everyone and queues the first syncs, which report and write nothing.
  const first = await maintenanceAt(start);
  expect(first.enqueued.firstSync).toBe(2 * p.people.length);
  const firstSyncCalls = metered();
  expect(firstSyncCalls).toBeGreaterThan(0);
  expect(p.writes()).toEqual({ graph: 0, dingtalk: 0 });
  const report = await dryRunRows();
  const reported = (verb: string) => report.filter((row) => row.reason.startsWith(`${verb}:`)).length;
  expect(reported('create')).toBe(2 * p.people.length);
  expect(reported('link')).toBeGreaterThanOrEqual(p.people.length);

  // The next runs sweep every Outlook calendar again, and no one changed anything: no metered call, no new row.
  for (let run = 1; run <= RUNS_AFTER_THE_FIRST; run++) {
    const before = metered();
    const next = await maintenanceAt(start + run * OUTLOOK_SWEEP_MINUTES);
    expect(next.enqueued.sweep).toBeGreaterThanOrEqual(p.people.length);
    expect(metered() - before).toBe(0);
    expect(await dryRunRows()).toHaveLength(report.length);
  }
  expect(p.writes()).toEqual({ graph: 0, dingtalk: 0 });

  // A real change during the dry run is pulled (one listing from the stored cursor) and reported.
  const [zhang] = p.people;
  const beforeChange = metered();
  p.dingtalk.control.userCreatesEvent(zhang.unionId, event('Added during the dry run', 16).dingtalk);
  await p.quiet();
  expect(metered() - beforeChange).toBe(1);
  const added = (await dryRunRows()).filter((row) => row.reason.startsWith('create:'));
  expect(added).toHaveLength(2 * p.people.length + 1);
  expect(p.writes()).toEqual({ graph: 0, dingtalk: 0 });

  // Dry, past the next UTC midnight: the Outlook sweep lists each calendar's new window in full. The dry run has
  // reported every event in it and keeps no links to match them by, so it reads nothing on DingTalk and repeats no
  // row (dry-run.ts, withoutRelistings); the cursors move on to the new windows.
  const rowsBeforeMidnight = (await dryRunRows()).length;
  const beforeDryMidnight = metered();
  p.graph.control.clearRequests();
  const dryMidnight = firstMinuteOfNextUtcDayClearOfDingTalkSweeps(start, 2 * OUTLOOK_SWEEP_MINUTES);
  await maintenanceAt(dryMidnight);
  expect(windowListings().length).toBeGreaterThanOrEqual(p.people.length);
  expect(metered() - beforeDryMidnight).toBe(0);
  expect(await dryRunRows()).toHaveLength(rowsBeforeMidnight);
  p.graph.control.clearRequests();
  await maintenanceAt(dryMidnight + OUTLOOK_SWEEP_MINUTES);
  expect(windowListings()).toHaveLength(0);
  expect(p.writes()).toEqual({ graph: 0, dingtalk: 0 });

  // DRY_RUN=false: the app restarts with the new setting. Within one Outlook sweep period every folder is re-listed
  // and decided afresh: pairs found on both sides are linked, the rest is created once, nothing is lost.
  restart({ ...p.app.config, sync: { ...p.app.config.sync, dryRun: false } });
  const live = dryMidnight + 2 * OUTLOOK_SWEEP_MINUTES;
  await maintenanceAt(live);
  await p.quiet();

  for (const person of p.people) {
    for (const subject of [
      `Weekly ${person.userid}`,
      `DingTalk only ${person.userid}`,
      `Outlook only ${person.userid}`,
    ]) {
      expect([subject, dingtalkWith(p, person, subject).length]).toEqual([subject, 1]);
      expect([subject, outlookWith(p, person, subject).length]).toEqual([subject, 1]);
    }
  }
  expect(outlookWith(p, zhang, 'Added during the dry run')).toHaveLength(1);
  expect(p.writes()).toEqual({ graph: p.people.length + 1, dingtalk: p.people.length });
  // Going live cost what a first sync costs: about the first run's calls again.
  expect(metered() - beforeChange - 1).toBeLessThanOrEqual(firstSyncCalls + p.people.length);

  // Live, past the next UTC midnight: the Outlook sweep lists each calendar's new window in full, and with every
  // event linked nothing is read on DingTalk.
  const beforeMidnight = metered();
  const dingtalkWrites = p.writes().dingtalk;
  p.graph.control.clearRequests();
  await maintenanceAt(firstMinuteOfNextUtcDayClearOfDingTalkSweeps(live));
  await p.quiet();
  expect(windowListings().length).toBeGreaterThanOrEqual(p.people.length);
  expect(metered() - beforeMidnight).toBe(0);
  expect(p.writes()).toEqual({ graph: 0, dingtalk: dingtalkWrites });
}, 120_000);

/** The Outlook calendar listings that open a window: a `calendarView/delta` with its start and end, no token. */
const windowListings = () =>
  p.graph.control.requests.filter(
    (r) => r.method === 'GET' && r.path.includes('/calendarView/delta') && r.query.includes('startDateTime='),
  );

/**
 * A minute early in the UTC day after `minute` from which no pair's weekly DingTalk sweep is due (it costs a call) for
 * `clearFor` more minutes, the runs the test makes from there.
 */
function firstMinuteOfNextUtcDayClearOfDingTalkSweeps(minute: number, clearFor = 0): number {
  const slots = p.people.map((person) => sweepSlotOf(person.entraId));
  // A run also serves the few minutes of slots since the previous run (jobs/sweep.ts, MAX_CATCH_UP_MINUTES).
  const span = 10 + clearFor;
  for (let next = (Math.floor(minute / MINUTES_A_DAY) + 1) * MINUTES_A_DAY + 1; ; next += 1) {
    const due = (slot: number) => (((slot - (next - 10)) % SWEEP_SLOTS) + SWEEP_SLOTS) % SWEEP_SLOTS <= span;
    if (!slots.some(due)) return next;
  }
}
