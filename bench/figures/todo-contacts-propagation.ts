import { setTimeout as sleep } from 'node:timers/promises';
import { nextPollAt } from '../../shared/app/pipeline/poll-slots';
import type { PendingArrival, TodoContactKind, TodoContactSide } from '../fakes/todo-contact-operations';
import type { BenchPerson } from '../pipeline/people';
import type { Pipeline } from '../pipeline/start-pipeline';
import { BUDGETS } from '../support/budgets';
import { progress } from '../support/progress';
import { round, summarize, type LatencySummary } from '../support/stats';

export interface PolledPropagationOptions {
  /** How often the bench looks for every copy still awaited (one call to the fakes for all of them). */
  lookMs: number;
  /** A change not seen within this many poll intervals of its side counts as not seen. */
  waitIntervals: number;
}

export interface PolledDirection extends LatencySummary {
  /** The poll interval in force on the side the change was made on (the cadence's, governor included). */
  pollIntervalMs: number;
  /** Changes made: one per person, each at a random moment within one poll interval. */
  changes: number;
  /** Changes not seen on the other side within the wait; not in the percentiles. */
  notSeen: number;
  /** Copies beyond one per change on the other side when the wait ended. */
  duplicates: number;
  budget: { p50Ms: number; p99Ms: number };
  withinBudget: boolean;
  /**
   * From the slot of the source folder's first poll after the change (poll-slots.ts, the chain's schedule) until the
   * copy showed: what the poll, the write and the queue's timing add to the wait for the slot. Not for DingTalk's
   * contacts, whose poll sees a change only once the roster has been refreshed after it (`roster`).
   */
  fromPollSlot?: LatencySummary;
  /**
   * DingTalk's contacts only: each person's poll reads the org roster, refreshed by the first poll that finds it
   * older than the interval. From the change until the first refresh that began after it, and from that refresh
   * until the copy showed (the wait for the person's own slot, then the poll).
   */
  roster?: { untilRefresh: LatencySummary; fromRefresh: LatencySummary; refreshes: number };
}

export interface PolledPropagation {
  dingtalkToOutlook: PolledDirection;
  outlookToDingtalk: PolledDirection;
}

/** The poll interval in force for each side of a kind. */
export type SideIntervals = Record<TodoContactSide, number>;

interface Sample extends PendingArrival {
  direction: keyof PolledPropagation;
  source: TodoContactSide;
  offsetMs: number;
  madeAt?: number;
  seenAt?: number;
  deadline?: number;
}

const other = (side: TodoContactSide): TodoContactSide => (side === 'dingtalk' ? 'outlook' : 'dingtalk');

/**
 * Creates on one side, timed until the copy shows on the other, with every poll chain running on its own: nothing
 * starts a poll. For each kind and direction every person makes one change, at a random moment within one poll
 * interval of the side it is made on (so the changes fall anywhere between two polls of the person's folder, and of
 * the org's contact roster), all kinds and directions during the same stretch. Timed on the fakes' clock (which the
 * bench shares) from the change until a look finds the copy in that person's list or folder on the other side.
 */
export async function measurePolledPropagation(
  p: Pipeline,
  intervals: Record<TodoContactKind, SideIntervals>,
  options: PolledPropagationOptions,
  /** When the app's contact roster in hand was listed (its refresh's start, on the clock the bench shares). */
  rosterTakenAt: () => number | undefined,
): Promise<Record<TodoContactKind, PolledPropagation>> {
  const tag = `bench propagation ${Date.now().toString(36)}`;
  const samples: Sample[] = (['todo', 'contact'] as const).flatMap((kind) =>
    (['dingtalk', 'outlook'] as const).flatMap((source) =>
      p.people.map((person: BenchPerson, u): Sample => ({
        key: `${kind} ${source} ${u}`,
        kind,
        side: other(source),
        source,
        direction: source === 'dingtalk' ? 'dingtalkToOutlook' : 'outlookToDingtalk',
        person,
        title: `${tag} ${kind} from ${source} u${u}`,
        offsetMs: Math.random() * intervals[kind][source],
      })),
    ),
  );
  const longestMs = Math.max(
    ...samples.map((s) => s.offsetMs + options.waitIntervals * intervals[s.kind][s.source]),
  );
  progress(
    `todo/contacts propagation: ${samples.length} changes, poll chains on their own; ` +
      `up to ${round(longestMs / 1000, 0)} s`,
  );

  const byKey = new Map(samples.map((s) => [s.key, s]));
  const refreshes = new Set<number>();
  let made = 0;
  const making = Promise.all(
    samples.map(async (s) => {
      await sleep(s.offsetMs);
      s.madeAt = await p.fakes.call('tcCreate', s.kind, s.source, [{ person: s.person, title: s.title }]);
      s.deadline = s.madeAt + options.waitIntervals * intervals[s.kind][s.source];
      made++;
    }),
  );
  for (;;) {
    const takenAt = rosterTakenAt();
    if (takenAt !== undefined) refreshes.add(takenAt);
    const awaited = samples.filter((s) => s.madeAt !== undefined && s.seenAt === undefined);
    const now = Date.now();
    if (made === samples.length && awaited.every((s) => now > s.deadline!)) break;
    const pending = awaited
      .filter((s) => now <= s.deadline!)
      .map(({ key, kind, side, person, title }) => ({ key, kind, side, person, title }));
    if (pending.length > 0) {
      for (const seen of await p.fakes.call('tcArrivals', pending)) byKey.get(seen.key)!.seenAt = seen.at;
    }
    await sleep(options.lookMs);
  }
  await making;

  const result = {} as Record<TodoContactKind, PolledPropagation>;
  for (const kind of ['todo', 'contact'] as const) {
    const directions = {} as PolledPropagation;
    for (const source of ['dingtalk', 'outlook'] as const) {
      const mine = samples.filter((s) => s.kind === kind && s.source === source);
      const seen = mine.filter((s) => s.seenAt !== undefined);
      const latencies = seen.map((s) => s.seenAt! - s.madeAt!);
      const interval = intervals[kind][source];
      const slotOf = (s: Sample, after: number) =>
        nextPollAt(`${s.person.entraId}|${kind}|${source}`, interval, after);
      const { duplicates } = await p.fakes.call('tcCount', kind, other(source), mine);
      const summary = summarize(latencies);
      const limit = intervals[kind][source] + BUDGETS[`${kind}PropagationOverPollIntervalMs`];
      const notSeen = mine.length - latencies.length;
      const direction: PolledDirection = {
        ...summary,
        pollIntervalMs: intervals[kind][source],
        changes: mine.length,
        notSeen,
        duplicates,
        budget: { p50Ms: limit, p99Ms: limit },
        withinBudget: notSeen === 0 && summary.p99Ms <= limit,
      };
      if (kind === 'contact' && source === 'dingtalk') {
        const sorted = [...refreshes].sort((a, b) => a - b);
        const refreshAfter = (s: Sample) => sorted.find((t) => t >= s.madeAt!);
        const timed = seen.filter((s) => refreshAfter(s) !== undefined);
        direction.roster = {
          untilRefresh: summarize(timed.map((s) => refreshAfter(s)! - s.madeAt!)),
          fromRefresh: summarize(timed.map((s) => s.seenAt! - refreshAfter(s)!)),
          refreshes: sorted.length,
        };
      } else direction.fromPollSlot = summarize(seen.map((s) => s.seenAt! - slotOf(s, s.madeAt!)));
      directions[source === 'dingtalk' ? 'dingtalkToOutlook' : 'outlookToDingtalk'] = direction;
      progress(
        `${kind} propagation ${source === 'dingtalk' ? 'DingTalk→Outlook' : 'Outlook→DingTalk'} ` +
          `(poll every ${intervals[kind][source] / 1000} s): p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, ` +
          `not seen ${notSeen}`,
      );
    }
    result[kind] = directions;
  }
  return result;
}
