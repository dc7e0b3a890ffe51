import { setTimeout as sleep } from 'node:timers/promises';
import { getAppContext } from '../../shared/app/context';
import { FOLDERS } from '../../shared/app/folders';
import { getServices, workerDeps } from '../../shared/app/services';
import { processWork, type WorkerDeps, type WorkOutcome } from '../../shared/app/worker';
import { SYNC_WORK_QUEUE, StorageWorkQueue } from '../../shared/store/work-queue';
import type { WorkItem } from '../../shared/store/types';
import type { TitledItem, TodoContactKind, TodoContactSide } from '../fakes/todo-contact-operations';
import { costPerChange, type CallCounts, type CostPerChange } from '../pipeline/call-counts';
import type { BenchPerson } from '../pipeline/people';
import type { Pipeline } from '../pipeline/start-pipeline';
import { progress } from '../support/progress';
import { round, summarize, type LatencySummary } from '../support/stats';

export type Operation = 'create' | 'update' | 'delete';
export type Direction = 'dingtalkToOutlook' | 'outlookToDingtalk';
const OPERATIONS: Operation[] = ['create', 'update', 'delete'];

/** What one series of changes cost: every person made one change of the kind, on the same side. */
export interface ChangeSeries {
  /** Changes made, one per person. */
  changes: number;
  /** Of those, the ones that showed on the other side once the polls had run; the costs are divided by this. */
  arrived: number;
  /** Copies beyond one per change on the other side. */
  duplicates: number;
  /** The bench's polls by outcome ("synced", or why not). */
  outcomes: Record<string, number>;
  cost: CostPerChange;
}

export type DirectionSeries = Record<Operation, ChangeSeries>;
export type KindSeries = Record<Direction, DirectionSeries>;

/** One idle poll of one side, averaged over every person's, `rounds` times over. */
export interface IdleSide {
  polls: number;
  dingtalkMetered: number;
  dingtalkAll: number;
  graph: number;
  tableOperations: number;
  /** Time of one poll through the worker, p50 (and the summary), zero latency. */
  ms: number;
  msSummary: LatencySummary;
  /** Outcomes other than a pull that found nothing; not counted as polls. */
  otherOutcomes: Record<string, number>;
  breakdown: CostPerChange['breakdown'];
}

/** DingTalk's contact side: each user's poll reads the org's roster, one listing per interval for everyone. */
export interface IdleContactRoster {
  /** One refresh of the roster (the org's external contacts, 100 a call). */
  refresh: { dingtalkMetered: number; tableOperations: number; ms: number; contacts: number };
  /** Per idle user: one poll with the roster in hand, plus the refresh shared by every user. */
  perIdleUser: { dingtalkMetered: number; graph: number; tableOperations: number };
}

export type IdleKind = Record<TodoContactSide, IdleSide> & { roster?: IdleContactRoster };

const other = (side: TodoContactSide): TodoContactSide => (side === 'dingtalk' ? 'outlook' : 'dingtalk');

/** Where each bench poll sends the message a chain poll would send (its successor): a queue nothing reads. */
const SUCCESSOR_QUEUE = 'bench-polled-successors';

/**
 * The poll chains keep one queue message per polled side; emptying the queue ends them (a side whose chain is
 * alive on its state row is not restarted by other pulls for up to two hours, worker.ts keepPolling). A chain poll under
 * way when the queue is emptied still sends its successor, so the queue is emptied until it stays empty.
 */
export async function stopPollChains(p: Pipeline): Promise<void> {
  const queue = await p.observer.storage.queue(SYNC_WORK_QUEUE);
  let empty = 0;
  while (empty < 6) {
    await queue.clearMessages();
    await sleep(500);
    empty = ((await queue.getProperties()).approximateMessagesCount ?? 0) === 0 ? empty + 1 : 0;
  }
}

/** The app's worker as the sync-worker function runs it, called in the app's process. */
function bench(p: Pipeline) {
  const app = getAppContext();
  const services = getServices();
  const deps: WorkerDeps = workerDeps(app, services);
  const pull = (person: BenchPerson, kind: TodoContactKind, side: TodoContactSide): Promise<WorkOutcome> =>
    processWork(deps, work(person, kind, side));
  // The meter's count and the pulls' audit rows are written in batches (BatchingCallCounter, the audit outbox):
  // written out at both ends of a measurement, so each pays the table operations of its own changes.
  const flush = async () => {
    await app.stores.audit.outbox.flush();
    await app.stores.dingtalkCalls.flush?.();
  };
  const reading = async (): Promise<CallCounts> => {
    await flush();
    return p.calls.now();
  };
  return { app, services, pull, reading, roster: services.dingtalk.contacts.roster };
}

/**
 * A pull with reason `sweep`: it pulls as a chain poll does (the same listing, the same writes), but leaves the chain
 * alone; what a chain poll does besides is to send its successor.
 */
const work = (person: BenchPerson, kind: TodoContactKind, side: TodoContactSide): WorkItem => ({
  pairId: person.entraId,
  kind,
  side,
  folder: FOLDERS[kind][side],
  reason: 'sweep',
});

const tally = (outcomes: Record<string, number>, outcome: WorkOutcome) => {
  const key = outcome.status === 'failed' ? `failed: ${outcome.detail ?? ''}`.slice(0, 120) : outcome.status;
  outcomes[key] = (outcomes[key] ?? 0) + 1;
};

/**
 * Every create, update and delete in each direction, one series each: every person makes the change on the source
 * side, then, person by person, the source side is pulled (the poll that sees the change, and the write) and then the
 * other side (the poll that sees the echo of that write). Counted from before the first change until after the last
 * echo poll, divided by the changes that arrived. For contacts made in DingTalk, one refresh of the org roster after
 * the changes serves every person's poll, as one refresh per interval serves every chain.
 */
export async function measureChangeCosts(p: Pipeline, kind: TodoContactKind): Promise<KindSeries> {
  const b = bench(p);
  const tag = `bench cost ${Date.now().toString(36)}`;
  const result = {} as KindSeries;
  for (const source of ['dingtalk', 'outlook'] as const) {
    const target = other(source);
    const direction: Direction = source === 'dingtalk' ? 'dingtalkToOutlook' : 'outlookToDingtalk';
    const created: TitledItem[] = p.people.map((person, u) => ({
      person,
      title: `${tag} ${kind} ${source} u${u}`,
    }));
    const renamed: TitledItem[] = created.map((c) => ({ person: c.person, title: `${c.title} renamed` }));
    const series = {} as DirectionSeries;
    for (const op of OPERATIONS) {
      // Outside the count: every series starts with the roster in hand, as a chain poll usually finds it.
      if (kind === 'contact') await b.roster.fresh();
      const before = await b.reading();
      if (op === 'create') await p.fakes.call('tcCreate', kind, source, created);
      if (op === 'update')
        await p.fakes.call(
          'tcRename',
          kind,
          source,
          created.map((c, i) => ({ ...c, to: renamed[i]!.title })),
        );
      if (op === 'delete') await p.fakes.call('tcDelete', kind, source, renamed);
      if (kind === 'contact' && source === 'dingtalk') await b.roster.fresh();
      const outcomes: Record<string, number> = {};
      for (const person of p.people) {
        tally(outcomes, await b.pull(person, kind, source));
        tally(outcomes, await b.pull(person, kind, target));
      }
      const after = await b.reading();
      const expected = op === 'create' ? created : renamed;
      const shown = await p.fakes.call('tcCount', kind, target, expected);
      const arrived = op === 'delete' ? expected.length - shown.present : shown.present;
      series[op] = {
        changes: expected.length,
        arrived,
        duplicates: shown.duplicates,
        outcomes,
        cost: costPerChange(before, after, Math.max(1, arrived)),
      };
      const c = series[op].cost;
      progress(
        `${kind} ${source}→${target} ${op}: ${arrived}/${expected.length} arrived; per change DingTalk metered ` +
          `${c.dingtalkCallsMetered}, Graph ${c.graphCalls}, table ${c.tableOperations}`,
      );
    }
    result[direction] = series;
  }
  return result;
}

/**
 * Idle polls: every person's folder on each side pulled `rounds` times, nothing new anywhere, through the worker as
 * above, each followed by the message a chain poll sends for its successor (to a queue nothing reads). Counted per
 * side over all its polls; timed one at a time. DingTalk's contact side: each round starts with one refresh of the
 * org roster, counted apart (`roster.refresh`), then every person's poll reads the roster in hand.
 */
export async function measureIdlePolls(
  p: Pipeline,
  kind: TodoContactKind,
  intervals: Record<TodoContactSide, number>,
  rounds: number,
): Promise<IdleKind> {
  const b = bench(p);
  const successors = new StorageWorkQueue(b.app.storage, SUCCESSOR_QUEUE);
  // Once without counting: whatever is left to see (another series' last echo) is seen here.
  for (const person of p.people)
    for (const side of ['dingtalk', 'outlook'] as const) await b.pull(person, kind, side);

  const sides = {} as Record<TodoContactSide, IdleSide>;
  const refresh = { counts: new Tally(), ms: [] as number[], contacts: 0 };
  for (const side of ['dingtalk', 'outlook'] as const) {
    const outcomes: Record<string, number> = {};
    const times: number[] = [];
    const counts = new Tally();
    let polls = 0;
    for (let r = 0; r < rounds; r++) {
      if (kind === 'contact' && side === 'dingtalk') {
        const r0 = await b.reading();
        const started = performance.now();
        refresh.contacts = (await b.roster.fresh()).size;
        refresh.ms.push(performance.now() - started);
        refresh.counts.add(r0, await b.reading());
      }
      const before = await b.reading();
      for (const person of p.people) {
        const started = performance.now();
        const outcome = await b.pull(person, kind, side);
        await successors.enqueue(
          { ...work(person, kind, side), reason: 'poll' },
          { delaySeconds: Math.round(intervals[side] / 1000) },
        );
        const ms = performance.now() - started;
        if (outcome.status === 'synced' && outcome.changes === 0) {
          polls++;
          times.push(ms);
        } else tally(outcomes, outcome);
      }
      counts.add(before, await b.reading());
    }
    const cost = counts.per(Math.max(1, polls));
    const msSummary = summarize(times);
    sides[side] = {
      polls,
      dingtalkMetered: cost.dingtalkCallsMetered,
      dingtalkAll: cost.dingtalkCallsAll,
      graph: cost.graphCalls,
      tableOperations: cost.tableOperations,
      ms: msSummary.p50Ms,
      msSummary,
      otherOutcomes: outcomes,
      breakdown: cost.breakdown,
    };
    progress(
      `${kind} idle poll ${side}: DingTalk metered ${cost.dingtalkCallsMetered}, Graph ${cost.graphCalls}, ` +
        `table ${cost.tableOperations}, p50 ${msSummary.p50Ms} ms (${polls} polls)`,
    );
  }
  await (await b.app.storage.queue(SUCCESSOR_QUEUE)).clearMessages();
  if (refresh.ms.length === 0) return sides;
  const perRefresh = refresh.counts.per(rounds);
  const users = p.people.length;
  return {
    ...sides,
    roster: {
      refresh: {
        dingtalkMetered: perRefresh.dingtalkCallsMetered,
        tableOperations: perRefresh.tableOperations,
        ms: summarize(refresh.ms).p50Ms,
        contacts: refresh.contacts,
      },
      perIdleUser: {
        dingtalkMetered: round(sides.dingtalk.dingtalkMetered + perRefresh.dingtalkCallsMetered / users, 3),
        graph: round(sides.dingtalk.graph + perRefresh.graphCalls / users, 3),
        tableOperations: round(sides.dingtalk.tableOperations + perRefresh.tableOperations / users, 3),
      },
    },
  };
}

/** Sums the differences of several pairs of readings, for a count over windows with other work between them. */
class Tally {
  private readonly zero: CallCounts = {
    graph: 0,
    graphRefused: 0,
    graphTokens: 0,
    dingtalkAll: 0,
    dingtalkMetered: 0,
    remoteByKind: {},
    table: {
      requests: 0,
      transactions: 0,
      actionsInTransactions: 0,
      byKind: {},
      rowsRead: 0,
      rowsReadByTable: {},
      tableScans: 0,
    },
    queueMessages: 0,
  };
  private sum: CallCounts = structuredClone(this.zero);

  add(before: CallCounts, after: CallCounts): void {
    const s = this.sum;
    const byKind = (acc: Record<string, number>, a: Record<string, number>, b: Record<string, number>) => {
      for (const [k, n] of Object.entries(a)) acc[k] = (acc[k] ?? 0) + n - (b[k] ?? 0);
    };
    s.graph += after.graph - before.graph;
    s.graphRefused += after.graphRefused - before.graphRefused;
    s.graphTokens += after.graphTokens - before.graphTokens;
    s.dingtalkAll += after.dingtalkAll - before.dingtalkAll;
    s.dingtalkMetered += after.dingtalkMetered - before.dingtalkMetered;
    byKind(s.remoteByKind, after.remoteByKind, before.remoteByKind);
    s.table.requests += after.table.requests - before.table.requests;
    s.table.transactions += after.table.transactions - before.table.transactions;
    s.table.actionsInTransactions += after.table.actionsInTransactions - before.table.actionsInTransactions;
    s.queueMessages += after.queueMessages - before.queueMessages;
    byKind(s.table.byKind, after.table.byKind, before.table.byKind);
  }

  per(n: number): CostPerChange {
    return costPerChange(this.zero, this.sum, n);
  }
}
