import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import { subscriptionsOf } from '../figures/webhook-requests';
import { dingtalkSide, outlookSide, type FakeCalendar } from '../pipeline/calendar-sides';
import { remoteCallTotals } from '../pipeline/call-counts';
import { seedPeople, type BenchPerson } from '../pipeline/people';
import { createMailOperations } from './mail-operations';
import { createTodoContactOperations } from './todo-contact-operations';

export type SideName = FakeCalendar['name'];

/** Events whose subject starts with a prefix, in each owner's own calendar. */
export interface Tally {
  /** Distinct subjects found. */
  distinct: number;
  /** Events found; copies beyond one per subject are duplicates. */
  events: number;
}

/**
 * What the bench asks of the fakes when they run in a process of their own (fakes-process.ts): each operation is
 * called by name over IPC, with structured-clone arguments, and answers a structured-clone value.
 */
export function createFakeOperations(graph: FakeGraph, dingtalk: FakeDingTalk) {
  const sides: Record<SideName, FakeCalendar> = {
    dingtalk: dingtalkSide(dingtalk),
    outlook: outlookSide(graph),
  };
  const drainCalls = remoteCallTotals(graph, dingtalk);
  return {
    ...createMailOperations(graph),
    ...createTodoContactOperations(graph, dingtalk),
    seedPeople: (count: number) => seedPeople(graph, dingtalk, count),
    setCallbackTarget: (target: { url: string; token: string; aesKey: string }) =>
      dingtalk.control.setCallbackTarget(target),
    subscriptionCount: () => graph.control.subscriptions().length,
    subscriptions: () => subscriptionsOf(graph),
    create: (side: SideName, person: BenchPerson, subject: string, hour: number) =>
      sides[side].create(person, subject, hour),
    rename: (side: SideName, person: BenchPerson, id: string, subject: string) =>
      sides[side].rename(person, id, subject),
    remove: (side: SideName, person: BenchPerson, id: string) => sides[side].remove(person, id),
    findBySubject: (side: SideName, person: BenchPerson, subject: string) =>
      sides[side].findBySubject(person, subject),
    subjectOf: (side: SideName, person: BenchPerson, id: string) => sides[side].subjectOf(person, id),
    /** Makes many changes in one call, so the burst is not paced by the IPC round trip. */
    createMany: (side: SideName, changes: Array<{ person: BenchPerson; subject: string; hour: number }>) => {
      for (const c of changes) sides[side].create(c.person, c.subject, c.hour);
    },
    tally: (side: SideName, owners: Array<{ person: BenchPerson; prefix: string }>): Tally => {
      let distinct = 0;
      let events = 0;
      for (const { person, prefix } of owners) {
        const subjects = sides[side].subjectsWithPrefix(person, prefix);
        distinct += new Set(subjects).size;
        events += subjects.length;
      }
      return { distinct, events };
    },
    remoteCalls: () => drainCalls(),
    /** DingTalk's pushes so far by outcome ("ok", or the reason it failed). */
    callbackOutcomes: () => {
      const outcomes: Record<string, number> = {};
      for (const d of dingtalk.control.deliveries()) {
        const key = d.ok ? 'ok' : (d.reason ?? `status ${d.status}`);
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
      return outcomes;
    },
    injectLatency: (ms: number) => {
      graph.control.addFault({ latencyMs: ms });
      dingtalk.control.injectFault({ path: /./, kind: 'latency', latencyMs: ms, times: Infinity });
    },
    clearLatency: () => {
      graph.control.clearFaults();
      dingtalk.control.clearFaults();
    },
    /** No Graph notification or DingTalk callback in flight. */
    settle: async () => {
      await graph.control.notificationsIdle();
      await dingtalk.control.callbacksSettled();
    },
  };
}

export type FakeOperations = ReturnType<typeof createFakeOperations>;
