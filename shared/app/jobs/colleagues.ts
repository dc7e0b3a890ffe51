import type { ColleagueMark, ColleagueStore } from '../../store/colleague-store';
import { forEachBounded } from '../../store/bounded';
import type { JobState } from '../../store/job-store';
import type { UserPair } from '../../store/types';
import { SWEEP_SLOTS } from '../../store/user-repository';
import { PermanentRemoteError } from '../../sync/types';
import {
  applyDirectoryChanges,
  readWholeDirectory,
  type ColleagueDirectory,
  type DirectoryRefresh,
} from '../colleagues/directory-refresh';
import { DirectoryView, updateMailbox, type MailboxUpdateDeps } from '../colleagues/mailbox-update';
import {
  DIRECTORY_CHANGES_PER_RUN,
  FOLDER_CHECK_PERIOD_MS,
  MAILBOX_CONCURRENCY,
  MAILBOXES_PER_RUN,
  MIN_RUN_GAP_MS,
} from '../colleagues/pace';
import type { MaintenanceDeps } from './deps';
import type { JobOutcome } from './job-runner';
import { MAX_CATCH_UP_MINUTES } from './sweep';
import { minuteOf, minutesToServe, periodMinutes, slotRanges } from './sweep-slots';

/**
 * The optional colleagues folder (CONTACT_COLLEAGUES=department, docs/contacts-colleagues.md), one timer run at a
 * time:
 *
 * 1. The directory: read whole once per PAIRING_INTERVAL_HOURS (and the first time); in between, only the people
 *    directory callbacks named. Whoever shares a department with a changed member gets a "pending" mark.
 * 2. The folders: pending mailboxes oldest first, then the pairs whose slot is due for the daily check (the sweep's
 *    slots, so a run reads only those pairs), at most MAILBOXES_PER_RUN, each within its request budget. A folder
 *    left unfinished keeps its mark and goes on at the next run; one for which there was no room this run is marked.
 *
 * Never the whole users table: pending marks are one query, due slots one query per partition they touch.
 */

export interface ColleaguesDeps extends MailboxUpdateDeps {
  store: Pick<
    ColleagueStore,
    | 'snapshot'
    | 'departments'
    | 'saveDepartments'
    | 'apply'
    | 'readUser'
    | 'membersOf'
    | 'markPending'
    | 'pending'
    | 'directoryChanges'
    | 'clear'
  >;
  directory: ColleagueDirectory;
  /** DRY_RUN: the directory copy is kept and mailboxes are marked, but no folder is written until it is off. */
  dryRun?: boolean;
}

export interface ColleaguesReport {
  /** How the directory copy was brought up to date this run. */
  directory: 'whole' | 'callbacks' | 'unchanged';
  /** Members whose card changed (joined, edited, left). */
  directoryChanges: number;
  /** Mailboxes marked for an update. */
  marked: number;
  /** Mailboxes served, and how many of those are now up to date. */
  mailboxes: number;
  upToDate: number;
  failed: number;
  /** Graph requests, and writes by kind. */
  calls: number;
  created: number;
  updated: number;
  deleted: number;
  /** Folders were not touched: the previous run that wrote was less than a minute ago. */
  paced: boolean;
  /** Folders were not touched: DRY_RUN is on; the marked mailboxes wait for it to be turned off. */
  dryRun: boolean;
}

interface Progress {
  /** The last minute whose slots the daily check has served. */
  through?: number;
  /** When the folders were last written. */
  workAt?: number;
  /** When the directory was last read whole. */
  readAt?: number;
  /** A callback named a department the copy does not know: read the whole directory next run. */
  readWanted?: boolean;
}

/** Marks one run reads (two point reads each to find the pair): room for unpaired members among them. */
const PENDING_MARKS_READ = 4 * MAILBOXES_PER_RUN;
const PAIR_LOOKUPS_IN_FLIGHT = 16;

interface Task {
  userid: string;
  marks: ColleagueMark[];
  pair: UserPair;
}

export async function colleaguesJob(
  deps: MaintenanceDeps,
  state: JobState,
): Promise<JobOutcome<ColleaguesReport>> {
  const c = deps.colleagues!;
  const now = deps.now();
  const minute = minuteOf(now);
  const progress = parseProgress(state.progress);
  const report: ColleaguesReport = {
    directory: 'unchanged',
    directoryChanges: 0,
    marked: 0,
    mailboxes: 0,
    upToDate: 0,
    failed: 0,
    calls: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    paced: false,
    dryRun: c.dryRun === true,
  };
  const mark = async (userids: Iterable<string>) => {
    report.marked += await c.store.markPending(userids, minute);
  };

  // 1. The directory copy.
  const noted = await c.store.directoryChanges(DIRECTORY_CHANGES_PER_RUN);
  const wholeReadDue =
    progress.readAt === undefined ||
    progress.readWanted === true ||
    now - progress.readAt >= deps.schedule.pairingIntervalMs;
  let refresh: DirectoryRefresh | undefined;
  if (wholeReadDue) {
    // A whole read marks only paired people: the users table is read whole here anyway once a day, like pairing
    // does, which spares every run after it the lookups of thousands of unpaired members.
    const paired = new Set((await deps.stores.users.list()).filter(eligible).map((p) => p.dingtalkUserId));
    refresh = await readWholeDirectory(c.directory, c.store, (userids) =>
      mark([...userids].filter((u) => paired.has(u))),
    );
    progress.readAt = now;
    progress.readWanted = false;
    report.directory = 'whole';
  } else if (noted.length > 0) {
    refresh = await applyDirectoryChanges(
      c.directory,
      c.store,
      noted.map((m) => m.userid),
      mark,
    );
    if (refresh.unknownDepartment) progress.readWanted = true;
    report.directory = 'callbacks';
  }
  report.directoryChanges = refresh?.changes ?? 0;
  // A whole read covers what the callbacks named before it began.
  await c.store.clear(noted, 'changed');

  // 2. The folders, at most one writing run a minute (pace.ts).
  if (report.dryRun) return { report, progress: JSON.stringify(progress) };
  if (progress.workAt !== undefined && now - progress.workAt < MIN_RUN_GAP_MS) {
    report.paced = true;
    return { report, progress: JSON.stringify(progress) };
  }
  progress.workAt = now;
  const tasks = await pendingTasks(deps, c);
  const period = periodMinutes(FOLDER_CHECK_PERIOD_MS);
  const { first, last } = minutesToServe(progress.through, minute, period, MAX_CATCH_UP_MINUTES);
  const due = (
    await Promise.all(
      slotRanges(first, last, period, SWEEP_SLOTS).map(([f, t]) => deps.stores.users.listSlots(f, t)),
    )
  )
    .flat()
    .filter(eligible);
  progress.through = last;
  const taken = new Set(tasks.map((t) => t.userid));
  const overflow: string[] = [];
  for (const pair of due) {
    if (taken.has(pair.dingtalkUserId)) continue;
    taken.add(pair.dingtalkUserId);
    if (tasks.length < MAILBOXES_PER_RUN) tasks.push({ userid: pair.dingtalkUserId, marks: [], pair });
    else overflow.push(pair.dingtalkUserId);
  }
  if (overflow.length > 0) await mark(overflow);

  const view = new DirectoryView(c.store);
  const again: string[] = [];
  const served: ColleagueMark[] = [];
  await forEachBounded(tasks, MAILBOX_CONCURRENCY, async (task) => {
    report.mailboxes++;
    try {
      const outcome = await updateMailbox(c, view, task.pair);
      if (outcome.status === 'served') {
        report.calls += outcome.calls;
        report.created += outcome.created;
        report.updated += outcome.updated;
        report.deleted += outcome.deleted;
      }
      if (outcome.done) {
        report.upToDate++;
        served.push(...task.marks);
      } else if (task.marks.length === 0) {
        // A daily check that ran out of budget goes on as a pending mailbox.
        again.push(task.userid);
      }
    } catch (err) {
      report.failed++;
      deps.log.warn('colleagues folder not updated', { pairId: task.pair.pairId, error: err });
      // Behind the others, so one mailbox that keeps failing never holds up the queue; a permanent refusal
      // (no mailbox, no permission) waits for the daily check instead.
      served.push(...task.marks);
      if (!(err instanceof PermanentRemoteError)) again.push(task.userid);
    }
  });
  if (again.length > 0) await mark(again);
  await c.store.clear(served, 'pending');
  return { report, progress: JSON.stringify(progress) };
}

/**
 * The oldest pending mailboxes, one task per person. Marks name DingTalk members, paired or not (a department's
 * members are marked without reading the users table): those without an eligible pair are dropped here, and do not
 * take a paired person's place in this run.
 */
async function pendingTasks(deps: MaintenanceDeps, c: ColleaguesDeps): Promise<Task[]> {
  const marks = await c.store.pending(PENDING_MARKS_READ);
  const byUser = new Map<string, ColleagueMark[]>();
  for (const m of marks) byUser.set(m.userid, [...(byUser.get(m.userid) ?? []), m]);
  const entries = [...byUser.entries()];
  const pairs: (UserPair | undefined)[] = new Array(entries.length);
  await forEachBounded(entries, PAIR_LOOKUPS_IN_FLIGHT, async ([userid], i) => {
    pairs[i] = await deps.stores.users.findByDingtalkUserId(userid);
  });
  const tasks: Task[] = [];
  const orphaned: ColleagueMark[] = [];
  entries.forEach(([userid, own], i) => {
    const pair = pairs[i];
    if (!pair || !eligible(pair)) orphaned.push(...own);
    else if (tasks.length < MAILBOXES_PER_RUN) tasks.push({ userid, marks: own, pair });
  });
  await c.store.clear(orphaned, 'pending');
  return tasks;
}

/** A paired person whose pair syncs contacts (the colleagues folder is part of contact sync). */
function eligible(pair: UserPair): boolean {
  return pair.status === 'active' && pair.enabledKinds.includes('contact');
}

function parseProgress(text: string | undefined): Progress {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text) as Progress;
    const out: Progress = {};
    if (Number.isInteger(parsed.through)) out.through = parsed.through;
    if (Number.isFinite(parsed.workAt)) out.workAt = parsed.workAt;
    if (Number.isFinite(parsed.readAt)) out.readAt = parsed.readAt;
    if (parsed.readWanted === true) out.readWanted = true;
    return out;
  } catch {
    return {};
  }
}
