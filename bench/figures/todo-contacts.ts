import { pairsFromProgress } from '../../shared/app/jobs/pairing';
import { getServices } from '../../shared/app/services';
import { getConfig } from '../../shared/platform/config';
import type { TodoContactKind, TodoContactSide } from '../fakes/todo-contact-operations';
import { startPipeline } from '../pipeline/start-pipeline';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { monthlyCalls, type MonthlyCalls } from './todo-contacts-cadence';
import {
  measureChangeCosts,
  measureIdlePolls,
  stopPollChains,
  type ChangeSeries,
  type Direction,
  type IdleKind,
  type KindSeries,
  type Operation,
} from './todo-contacts-costs';
import {
  measurePolledPropagation,
  type PolledPropagation,
  type PolledPropagationOptions,
  type SideIntervals,
} from './todo-contacts-propagation';

export interface TodoContactSettings {
  /** Paired people; every figure of a series is over all of them. */
  users: number;
  /** TODO_POLL_SECONDS and CONTACT_POLL_SECONDS of the app under test: the smallest each allows. */
  todoPollSeconds: number;
  contactPollSeconds: number;
  todoTimeZone: string;
  /** Per person before pairing: DingTalk to-dos and followed external contacts, copied by the first sync. */
  history: { todos: number; contacts: number };
  propagation: PolledPropagationOptions;
  /** Idle polls of each side: every person's, this many times. */
  idleRounds: number;
}

type PerOperation<T> = Record<Direction, Record<Operation, T>>;

export interface KindFigures {
  users: number;
  /** The poll interval in force on each side (the cadence's; DingTalk's through the budget governor's plan). */
  pollIntervalMs: SideIntervals;
  propagation: PolledPropagation;
  /** Per change that arrived, over the poll that saw it, the write and the echo poll of the other side. */
  callsPerSyncedChange: PerOperation<{
    dingtalkMetered: number;
    dingtalkAll: number;
    graph: number;
    graphTokens: number;
  }>;
  tableOperationsPerSyncedChange: PerOperation<number>;
  /** Each series in full: changes made and arrived, the polls' outcomes, the calls by endpoint and table. */
  changeSeries: KindSeries;
  idlePoll: IdleKind;
  dingtalkCallsPerUserPerMonth: MonthlyCalls;
  budgets: {
    propagationDingtalkToOutlook: { p99Ms: number; met: boolean };
    propagationOutlookToDingtalk: { p99Ms: number; met: boolean };
  };
  /** The host's warnings and errors, and the length, of the whole phase (both kinds). */
  hostLog: { warnings: number; errors: number };
  phaseSeconds: number;
  counted: string;
}

export interface TodoContactFigures {
  todo: KindFigures;
  contacts: KindFigures;
}

/**
 * To-dos and external contacts on a pipeline of their own: the whole product with SYNC_KINDS=todo,contact, every
 * side of both kinds polled by its chain. First propagation with the chains running on their own; then the chains
 * are stopped, so that what is counted is only what the bench starts: the cost of each kind of change, then idle
 * polls.
 */
export async function measureTodoContacts(settings: TodoContactSettings): Promise<TodoContactFigures> {
  const started = performance.now();
  const p = await startPipeline(settings.users, {
    polled: {
      env: {
        SYNC_KINDS: 'todo,contact',
        TODO_POLL_SECONDS: String(settings.todoPollSeconds),
        CONTACT_POLL_SECONDS: String(settings.contactPollSeconds),
        TODO_TIME_ZONE: settings.todoTimeZone,
      },
      seed: (fakes, people) => fakes.call('seedTodoContactHistory', people, settings.history),
    },
  });
  const interrupted = () => void p.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const services = getServices();
    const intervalOf = async (kind: TodoContactKind, side: TodoContactSide) => {
      const ms = await services.cadence.intervalMs(kind, side);
      if (ms === undefined) throw new Error(`${kind} ${side} is not polled`);
      return ms;
    };
    const intervals: Record<TodoContactKind, SideIntervals> = {
      todo: { dingtalk: await intervalOf('todo', 'dingtalk'), outlook: await intervalOf('todo', 'outlook') },
      contact: {
        dingtalk: await intervalOf('contact', 'dingtalk'),
        outlook: await intervalOf('contact', 'outlook'),
      },
    };
    const quota = getConfig().dingtalk.monthlyCallQuota;
    progress(
      `todo/contacts: ${settings.users} users paired, every side polled (to-dos every ` +
        `${intervals.todo.dingtalk / 1000}/${intervals.todo.outlook / 1000} s, contacts every ` +
        `${intervals.contact.dingtalk / 1000}/${intervals.contact.outlook / 1000} s, DingTalk/Outlook)`,
    );

    const propagation = await measurePolledPropagation(
      p,
      intervals,
      settings.propagation,
      () => services.dingtalk.contacts.roster.peek()?.takenAt,
    );
    const plans = services.cadence.current();
    const pairs = pairsFromProgress((await p.observer.stores.jobs.read('pairing'))?.progress);
    await stopPollChains(p);
    progress("todo/contacts: poll chains stopped; counting the bench's own polls");
    const series = {
      todo: await measureChangeCosts(p, 'todo'),
      contact: await measureChangeCosts(p, 'contact'),
    };
    const idle = {
      todo: await measureIdlePolls(p, 'todo', intervals.todo, settings.idleRounds),
      contact: await measureIdlePolls(p, 'contact', intervals.contact, settings.idleRounds),
    };
    const hostLog = p.hostLog();
    const phaseSeconds = round((performance.now() - started) / 1000);
    const figures = (kind: TodoContactKind): KindFigures => {
      const prop = propagation[kind];
      return {
        users: settings.users,
        pollIntervalMs: intervals[kind],
        propagation: prop,
        callsPerSyncedChange: perOperation(series[kind], (s) => ({
          dingtalkMetered: s.cost.dingtalkCallsMetered,
          dingtalkAll: s.cost.dingtalkCallsAll,
          graph: s.cost.graphCalls,
          graphTokens: s.cost.graphTokenCalls,
        })),
        tableOperationsPerSyncedChange: perOperation(series[kind], (s) => s.cost.tableOperations),
        changeSeries: series[kind],
        idlePoll: idle[kind],
        dingtalkCallsPerUserPerMonth: monthlyCalls(
          kind,
          plans,
          pairs,
          intervals[kind],
          idle[kind],
          settings.history.contacts,
        ),
        budgets: {
          propagationDingtalkToOutlook: {
            p99Ms: prop.dingtalkToOutlook.budget.p99Ms,
            met: prop.dingtalkToOutlook.withinBudget,
          },
          propagationOutlookToDingtalk: {
            p99Ms: prop.outlookToDingtalk.budget.p99Ms,
            met: prop.outlookToDingtalk.withinBudget,
          },
        },
        hostLog,
        phaseSeconds,
        counted:
          `SYNC_KINDS=todo,contact, ${settings.users} users, TODO_POLL_SECONDS=${settings.todoPollSeconds}, ` +
          `CONTACT_POLL_SECONDS=${settings.contactPollSeconds}, DINGTALK_MONTHLY_CALL_QUOTA=${quota}: a quota ` +
          'that large lets the budget governor plan the configured intervals, so the polls run at the pace set ' +
          "here; on the standard edition's 5,000 calls it would plan far longer ones (dingtalkCallsPerUserPerMonth." +
          'standardEdition). Propagation with every poll chain running on its own. Calls and table operations ' +
          "with the chains stopped: only the bench's pulls ran (the app's worker, reason sweep), counted from the " +
          "fakes' request logs (Graph v1.0 requests, DingTalk requests and the ones its meter counted) and the " +
          "app's table operations, the DingTalk call counter's and the audit rows' batched writes flushed at both ends of each count.",
      };
    };
    return { todo: figures('todo'), contacts: figures('contact') };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await p.stop();
  }
}

function perOperation<T>(series: KindSeries, pick: (s: ChangeSeries) => T): PerOperation<T> {
  const one = (d: Direction) => ({
    create: pick(series[d].create),
    update: pick(series[d].update),
    delete: pick(series[d].delete),
  });
  return { dingtalkToOutlook: one('dingtalkToOutlook'), outlookToDingtalk: one('outlookToDingtalk') };
}
