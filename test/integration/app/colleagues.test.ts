import { countTableOperations } from '../../../bench/pipeline/table-counter';
import { startFakeDingTalk, type FakeDingTalk } from '../../../sandbox/dingtalk';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { COLLEAGUE_FOLDER_NAME } from '../../../shared/app/colleagues/colleague-folder';
import { CALLS_PER_MAILBOX_PER_RUN, firstFillEstimate } from '../../../shared/app/colleagues/pace';
import { handleDingTalkCallback } from '../../../shared/app/ingress-dingtalk';
import { runMaintenance, type MaintenanceReport } from '../../../shared/app/maintenance';
import { createServices, maintenanceDeps, setServices, type Services } from '../../../shared/app/services';
import type { ColleaguesReport } from '../../../shared/app/jobs/colleagues';
import { CONTACT_ORIGIN_KEY_PROPERTY_ID } from '../../../shared/connectors/graph/contact-mapper';
import { ManualClock } from '../../../shared/platform/clock';
import { SANDBOX_DEFAULTS } from '../../../shared/platform/config';
import { minuteOf, periodMinutes, slotsOfMinute } from '../../../shared/app/jobs/sweep-slots';
import { SWEEP_SLOTS, sweepSlotOf } from '../../../shared/store/user-repository';
import { createTestApp, type TestApp } from '../../support/app-context';
import { signedCallback } from '../../support/dingtalk-callback';

/**
 * The colleagues folder end to end below the timer: the real services (Graph and DingTalk connectors) against the
 * fake Graph and the fake DingTalk, real tables on Azurite, and runMaintenance as the timer calls it. Pairing
 * pairs the people by e-mail in the same runs.
 */

const MIN = 60_000;
/** Midnight UTC: a whole number of days since 1970, so the minute of the day is the minute modulo 1440. */
const MIDNIGHT = Date.parse('2026-11-23T00:00:00Z');

let graph: FakeGraph;
let dingtalk: FakeDingTalk;
let clock: ManualClock;
let app: TestApp;
let services: Services;
/** Entra ids of the paired people, by DingTalk userid. */
const entra = new Map<string, string>();

beforeEach(async () => {
  graph = await startFakeGraph({ tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!] });
  dingtalk = await startFakeDingTalk({
    appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
    appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
    corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
  });
  entra.clear();
});

afterEach(async () => {
  setServices(undefined);
  await graph.stop();
  await dingtalk.stop();
});

/** The app and its services, pointed at the fakes; the clock starts at `start`. */
function startApp(env: Record<string, string>, start = MIDNIGHT + 9 * 60 * MIN): void {
  clock = new ManualClock(start);
  app = createTestApp({
    clock,
    env: {
      GRAPH_AUTHORITY_HOST: graph.url,
      GRAPH_BASE_URL: graph.url,
      DINGTALK_API_BASE: dingtalk.url,
      DINGTALK_OAPI_BASE: dingtalk.url,
      SYNC_KINDS: 'contact',
      DRY_RUN: 'false',
      ...env,
    },
  });
  services = createServices(app);
  setServices(services);
}

const ON = { CONTACT_COLLEAGUES: 'department' };

/** The minute of the day whose daily check serves this pair (sweep-slots.ts: minute m serves slots 7m..7m+6). */
const checkMinuteOf = (userid: string) => Math.floor((sweepSlotOf(entra.get(userid)!) * 1440) / 10_080);

/**
 * A start time after which no paired person's daily check comes due for half an hour, so that what a test sees
 * is what its own marks caused.
 */
function quietStart(): number {
  const busy = new Set([...entra.keys()].map(checkMinuteOf));
  for (let m = 9 * 60; ; m = (m + 1) % 1440)
    if (Array.from({ length: 30 }, (_, i) => (m + i) % 1440).every((x) => !busy.has(x)))
      return MIDNIGHT + m * MIN;
}

const run = (): Promise<MaintenanceReport> => runMaintenance(maintenanceDeps(app, services));
async function runColleagues(): Promise<ColleaguesReport> {
  const report = await run();
  if (typeof report.colleagues !== 'object') throw new Error(`colleagues job: ${String(report.colleagues)}`);
  return report.colleagues;
}
/** The next minute's timer run. */
async function nextMinute(): Promise<ColleaguesReport> {
  clock.advance(MIN);
  return runColleagues();
}

/** A DingTalk member; with `paired`, also an Entra user of the same address, whom pairing pairs with them. */
function member(
  userid: string,
  name: string,
  deptIds: number[],
  options: { paired?: boolean; title?: string; active?: boolean } = {},
): void {
  const email = `${userid}@contoso.example`;
  dingtalk.control.addUser({
    userid,
    name,
    org_email: email,
    mobile: `1380000${String(entra.size + userid.length).padStart(4, '0')}`,
    title: options.title ?? 'Engineer',
    dept_id_list: deptIds,
    active: options.active ?? true,
  });
  if (options.paired) {
    const user = graph.control.addUser({ userPrincipalName: email, mail: email, displayName: name });
    entra.set(userid, user.id);
  }
}

/** R&D (10): zhang, li, chen (also in Marketing) and two unpaired engineers, one not yet active. Marketing (20): wang. */
function smallOrg(): void {
  dingtalk.control.addDepartment({ dept_id: 10, parent_id: 1, name: '研发部' });
  dingtalk.control.addDepartment({ dept_id: 20, parent_id: 1, name: '市场部' });
  member('zhang', '张伟', [10], { paired: true });
  member('li', '李娜', [10], { paired: true });
  member('chen', '陈静', [10, 20], { paired: true, title: 'Architect' });
  member('wang', '王芳', [20], { paired: true, title: 'Marketer' });
  member('zhao', '赵强', [10]);
  member('sun', '孙丽', [10], { active: false });
}

type Contact = Record<string, unknown> & {
  id: string;
  singleValueExtendedProperties?: { id: string; value: string }[];
};

function folderOf(userid: string): Contact[] {
  const id = entra.get(userid)!;
  const folders = graph.control.contacts.contactFolders(id).map((f) => f.displayName);
  if (!folders.includes(COLLEAGUE_FOLDER_NAME)) return [];
  return graph.control.contacts.contactsIn(id, COLLEAGUE_FOLDER_NAME) as Contact[];
}

const stampOf = (c: Contact) =>
  c.singleValueExtendedProperties?.find(
    (p) => p.id.toLowerCase() === CONTACT_ORIGIN_KEY_PROPERTY_ID.toLowerCase(),
  )?.value;
const colleaguesIn = (userid: string) => folderOf(userid).map(stampOf).sort();
const card = (userid: string, colleague: string) =>
  folderOf(userid).find((c) => stampOf(c) === `colleague:${colleague}`);

/** Graph requests that touched one mailbox's contacts, since `from` (an index into the request log). */
function mailboxRequests(userid: string, from = 0) {
  const id = entra.get(userid)!;
  return graph.control.requests.slice(from).filter((r) => r.path.includes(`/users/${id}/contact`));
}

/** Delivers a directory callback the way DingTalk does, through the app's ingress. */
async function callback(eventType: string, userIds: string[]): Promise<void> {
  const dt = app.config.dingtalk;
  const cb = signedCallback(
    { EventType: eventType, CorpId: dt.corpId, UserId: userIds },
    { token: dt.callbackToken, aesKey: dt.callbackAesKey, ownerKey: dt.appKey },
  );
  const outcome = await handleDingTalkCallback(
    { ...app.stores, users: app.stores.users, config: app.config, log: app.log, now: () => Date.now() },
    { query: cb.query, contentType: 'application/json', body: cb.body },
  );
  expect(outcome.status).toBe(200);
}

describe('the colleagues folder', () => {
  test('is off by default: pairing runs, and no contact folder is made or read in anyone’s mailbox', async () => {
    smallOrg();
    startApp({}, quietStart());
    expect(app.config.colleagues).toEqual({ mode: 'off', max: 500 });
    const report = await run();
    expect(report.pairing).toMatchObject({ paired: 4 });
    expect(report).not.toHaveProperty('colleagues');
    await callback('user_modify_org', ['chen']);
    clock.advance(MIN);
    expect(await run()).not.toHaveProperty('colleagues');
    expect(await app.stores.jobs.read('colleagues')).toBeUndefined();
    for (const id of entra.values()) {
      expect(graph.control.contacts.contactFolders(id).map((f) => f.displayName)).not.toContain(
        COLLEAGUE_FOLDER_NAME,
      );
      expect(graph.control.contacts.contactAccesses(id)).toEqual([]);
    }
    expect(graph.control.requests.filter((r) => /contact/i.test(r.path))).toEqual([]);
  });

  test('under DRY_RUN the directory is read and mailboxes marked, but no folder is made or written', async () => {
    smallOrg();
    startApp({ ...ON, DRY_RUN: 'true' }, quietStart());
    const report = await runColleagues();
    expect(report).toMatchObject({ directory: 'whole', dryRun: true, marked: 4, mailboxes: 0, calls: 0 });
    expect(await app.stores.colleagues.pending(100)).toHaveLength(4);
    for (const id of entra.values()) expect(graph.control.contacts.contactAccesses(id)).toEqual([]);
  });

  test('fills each folder one way with the active members of the person’s departments, and nobody else', async () => {
    smallOrg();
    startApp(ON, quietStart());
    const report = await runColleagues();
    expect(report).toMatchObject({ directory: 'whole', mailboxes: 4, upToDate: 4, failed: 0 });

    expect(colleaguesIn('zhang')).toEqual(['colleague:chen', 'colleague:li', 'colleague:zhao']);
    expect(colleaguesIn('wang')).toEqual(['colleague:chen']);
    // In both departments: everyone in either, once.
    expect(colleaguesIn('chen')).toEqual([
      'colleague:li',
      'colleague:wang',
      'colleague:zhang',
      'colleague:zhao',
    ]);
    expect(card('zhang', 'chen')).toMatchObject({
      displayName: '陈静',
      jobTitle: 'Architect',
      department: '研发部、市场部',
      companyName: 'Org',
      emailAddresses: [expect.objectContaining({ address: 'chen@contoso.example' })],
      mobilePhone: expect.stringMatching(/^\+86 1380000\d{4}$/),
    });
    // The person's own Contacts folder is never listed, read or written.
    for (const id of entra.values())
      expect(graph.control.contacts.contactAccesses(id, 'contacts')).toEqual([]);
    // Nothing went the other way: DingTalk was only read (its token aside).
    const dingtalkCalls = dingtalk.control.exchanges().filter((x) => x.operation !== 'GetAccessToken');
    expect(dingtalkCalls.length).toBeGreaterThan(0);
    expect(dingtalkCalls.every((x) => /^\/topapi\/(v2\/department|v2\/user|user)\//.test(x.path))).toBe(true);

    // A run a minute later has nothing to do and writes nothing.
    const before = graph.control.requests.length;
    const idle = await nextMinute();
    expect(idle).toMatchObject({ directory: 'unchanged', marked: 0, created: 0, updated: 0, deleted: 0 });
    expect(graph.control.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('directory callbacks reach the folders of the departments concerned, and only those', async () => {
    smallOrg();
    startApp(ON, quietStart());
    await runColleagues();

    dingtalk.control.removeUser('li');
    dingtalk.control.addUser({
      userid: 'newbie',
      name: '周杰',
      org_email: 'newbie@contoso.example',
      title: 'Intern',
      dept_id_list: [10],
    });
    dingtalk.control.modifyUser('chen', { title: 'Principal Architect' });
    await callback('user_leave_org', ['li']);
    await callback('user_add_org', ['newbie']);
    await callback('user_modify_org', ['chen']);
    expect((await app.stores.jobs.read('colleagues'))?.requested).toBe(true);

    const report = await nextMinute();
    expect(report).toMatchObject({ directory: 'callbacks', directoryChanges: 3, failed: 0 });
    expect(colleaguesIn('zhang')).toEqual(['colleague:chen', 'colleague:newbie', 'colleague:zhao']);
    expect(card('zhang', 'chen')).toMatchObject({ jobTitle: 'Principal Architect' });
    expect(card('wang', 'chen')).toMatchObject({ jobTitle: 'Principal Architect' });
    expect(card('zhang', 'newbie')).toMatchObject({
      displayName: '周杰',
      jobTitle: 'Intern',
      department: '研发部',
    });
    expect(colleaguesIn('chen')).not.toContain('colleague:li');

    // A change in Marketing alone: R&D-only mailboxes are not even listed.
    dingtalk.control.modifyUser('wang', { title: 'Head of Marketing' });
    await callback('user_modify_org', ['wang']);
    const from = graph.control.requests.length;
    const second = await nextMinute();
    expect(second).toMatchObject({ directory: 'callbacks', directoryChanges: 1, marked: 2, mailboxes: 2 });
    expect(card('chen', 'wang')).toMatchObject({ jobTitle: 'Head of Marketing' });
    expect(mailboxRequests('zhang', from)).toEqual([]);
    expect(
      mailboxRequests('chen', from)
        .map((r) => r.method)
        .sort(),
    ).toEqual(['GET', 'PATCH']);
  });

  test('the daily check puts back what the person edited, and leaves their own categories', async () => {
    smallOrg();
    // Start three minutes before zhang's minute of the day, so the fourth run is his daily check.
    startApp(ON, MIDNIGHT + ((checkMinuteOf('zhang') - 3 + 1440) % 1440) * MIN);
    await runColleagues();
    const chen = card('zhang', 'chen')!;
    graph.control.contacts.userEditsContact(entra.get('zhang')!, chen.id, {
      jobTitle: 'My favourite architect',
      mobilePhone: '+86 139 0000 0000',
      personalNotes: 'owes me lunch',
      categories: ['Friends'],
    });
    graph.control.contacts.userDeletesContact(entra.get('zhang')!, card('zhang', 'zhao')!.id);
    await nextMinute();
    await nextMinute();
    expect(card('zhang', 'chen')).toMatchObject({ jobTitle: 'My favourite architect' });
    const check = await nextMinute();
    expect(check.mailboxes).toBeGreaterThanOrEqual(1);
    expect(card('zhang', 'chen')).toMatchObject({
      jobTitle: 'Architect',
      mobilePhone: chen.mobilePhone,
      categories: ['Friends'],
    });
    expect(card('zhang', 'chen')!.personalNotes ?? '').toBe('');
    expect(colleaguesIn('zhang')).toEqual(['colleague:chen', 'colleague:li', 'colleague:zhao']);
  });

  /** Boss and 300 colleagues in one department; returns a probe of boss's folder requests per run. */
  function salesTeam(colleagues: number) {
    dingtalk.control.addDepartment({ dept_id: 30, parent_id: 1, name: 'Sales' });
    member('boss', 'Boss', [30], { paired: true });
    for (let i = 0; i < colleagues; i++) member(`s${String(i).padStart(3, '0')}`, `Seller ${i}`, [30]);
    startApp(ON, quietStart());
    const folderCalls = () => mailboxRequests('boss').filter((r) => r.path.includes('/contacts'));
    const runs: { report: ColleaguesReport; calls: number; ms: number }[] = [];
    const timed = async (step: () => Promise<ColleaguesReport>) => {
      const before = folderCalls().length;
      const started = performance.now();
      const report = await step();
      runs.push({ report, calls: folderCalls().length - before, ms: performance.now() - started });
      return report;
    };
    return { runs, timed };
  }

  test('a first fill of 300 colleagues takes the runs and requests pace.ts plans, at most 100 a run', async () => {
    const COLLEAGUES = 300;
    const { runs, timed } = salesTeam(COLLEAGUES);
    let report = await timed(runColleagues);
    expect(report).toMatchObject({ mailboxes: 1, upToDate: 0, created: CALLS_PER_MAILBOX_PER_RUN - 1 });
    while (report.upToDate === 0 && runs.length < 10) report = await timed(nextMinute);

    const estimate = firstFillEstimate(1, COLLEAGUES);
    expect(runs).toHaveLength(estimate.runsPerMailbox);
    expect(runs.reduce((sum, r) => sum + r.calls, 0)).toBe(estimate.callsPerMailbox);
    for (const r of runs) expect(r.calls).toBeLessThanOrEqual(CALLS_PER_MAILBOX_PER_RUN);
    const stamps = folderOf('boss').map(stampOf);
    expect(stamps).toHaveLength(COLLEAGUES);
    expect(new Set(stamps).size).toBe(COLLEAGUES);
    // The folder was found (and made) once; the person's own Contacts folder was never touched.
    expect(mailboxRequests('boss').filter((r) => !r.path.includes('/contacts'))).toHaveLength(2);
    expect(graph.control.contacts.contactAccesses(entra.get('boss')!, 'contacts')).toEqual([]);
    if (process.env.COLLEAGUES_FIGURES)
      console.log(
        `first fill of ${COLLEAGUES}: ${runs.length} runs, ${estimate.callsPerMailbox} Graph requests, ` +
          `runs took ${runs.map((r) => Math.round(r.ms)).join(' + ')} ms`,
      );
  });

  test('a run sooner than a minute after the last writes nothing; a failed run loses nothing and duplicates nothing', async () => {
    const COLLEAGUES = 300;
    const { runs, timed } = salesTeam(COLLEAGUES);
    await timed(runColleagues);
    expect(folderOf('boss')).toHaveLength(CALLS_PER_MAILBOX_PER_RUN - 1);

    // A second timer run within the minute (a TIMER_SCHEDULE of seconds) leaves the folders be.
    clock.advance(20_000);
    expect(await runColleagues()).toMatchObject({ paced: true, mailboxes: 0, calls: 0 });
    expect(folderOf('boss')).toHaveLength(CALLS_PER_MAILBOX_PER_RUN - 1);

    // Graph refuses the next run's creates: the mailbox fails and stays pending.
    graph.control.addFault({ method: 'POST', path: '/contacts', status: 503, count: 1000 });
    clock.advance(40_000);
    expect(await runColleagues()).toMatchObject({ mailboxes: 1, failed: 1, upToDate: 0 });
    graph.control.clearFaults();
    expect(folderOf('boss')).toHaveLength(CALLS_PER_MAILBOX_PER_RUN - 1);

    // A create Graph carried out but whose answer never came back: the contact is there, with its stamp.
    graph.control.contacts.userCreatesContact(entra.get('boss')!, COLLEAGUE_FOLDER_NAME, {
      displayName: 'Seller 299',
      singleValueExtendedProperties: [{ id: CONTACT_ORIGIN_KEY_PROPERTY_ID, value: 'colleague:s299' }],
    });

    let report: ColleaguesReport;
    do report = await timed(nextMinute);
    while (report.upToDate === 0 && runs.length < 10);
    expect(report.upToDate).toBe(1);
    for (const r of runs) expect(r.calls).toBeLessThanOrEqual(CALLS_PER_MAILBOX_PER_RUN);
    const stamps = folderOf('boss').map(stampOf);
    expect(stamps).toHaveLength(COLLEAGUES);
    expect(new Set(stamps).size).toBe(COLLEAGUES);
    // The stray create was completed, not doubled.
    expect(card('boss', 's299')).toMatchObject({ jobTitle: 'Engineer', department: 'Sales' });
  });

  test('a run reads the pending marks and its due slots, never every pair nor the whole directory copy', async () => {
    smallOrg();
    startApp(ON, quietStart());
    await runColleagues();
    await nextMinute();
    const counter = countTableOperations(app.storage);
    const idle = await nextMinute();
    expect(idle).toMatchObject({ directory: 'unchanged', marked: 0 });
    const counts = counter.counts();
    expect(counts.tableScans).toBe(0);
    const read = (suffix: string) =>
      Object.entries(counts.rowsReadByTable)
        .filter(([table]) => table.endsWith(suffix))
        .reduce((sum, [, rows]) => sum + rows, 0);
    // The directory copy holds six rows per member partition and user partition here; an idle run reads none.
    expect(read('colleagues')).toBe(0);
    // Pairs are read only for the folders the run serves, and by the same timer run's hourly Outlook safety sweep
    // for the pairs whose slots fall in this minute (quietStart keeps the daily slots, the check's and DingTalk's
    // sweep's, out of it). Pair ids are new in every run, so that sweep reads a pair here in some runs.
    const outlookSweep = periodMinutes(app.config.schedule.outlookSweepIntervalMs);
    const [from, to] = slotsOfMinute(minuteOf(clock.now()), outlookSweep, SWEEP_SLOTS);
    const swept = [...entra.values()].filter((id) => sweepSlotOf(id) >= from && sweepSlotOf(id) < to).length;
    expect(read('users')).toBeLessThanOrEqual(idle.mailboxes + swept);
    expect(read('users')).toBeLessThan(entra.size);
  });
});
