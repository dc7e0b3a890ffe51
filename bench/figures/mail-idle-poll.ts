import os from 'node:os';
import { getAppContext } from '../../shared/app/context';
import { getServices, workerDeps } from '../../shared/app/services';
import { processWork, type WorkerDeps, type WorkOutcome } from '../../shared/app/worker';
import { StorageWorkQueue } from '../../shared/store/work-queue';
import type { WorkItem } from '../../shared/store/types';
import type { BenchPerson } from '../pipeline/people';
import type { Pipeline } from '../pipeline/start-pipeline';
import { BUDGETS } from '../support/budgets';
import { cpuBetween, type CpuSplit } from '../support/cpu-split';
import { progress } from '../support/progress';
import { median, round, summarize, type LatencySummary } from '../support/stats';

export interface IdlePollOptions {
  /** Polls one at a time (each on the next mailbox), for the time and the round trips of one poll. */
  sequential: number;
  /** Polls at once, as many as one Functions instance runs (host.json batchSize + newBatchThreshold). */
  concurrency: number;
  /** How many times every mailbox is polled in the concurrent run. */
  rounds: number;
}

export interface IdlePollFigures {
  /** IMAP commands per idle poll (each one a round trip on the reused connection), median of the sequential polls. */
  roundTrips: number;
  /** The commands of the most common idle poll, in order. */
  commands: string[];
  /** Time of one idle poll through the worker, p50 (and the summary), zero latency. */
  ms: number;
  msSummary: LatencySummary;
  /** Table operations and queue messages sent per idle poll (the chain's successor). */
  tableOperations: number;
  /** Idle polls completed per second with `concurrency` at once on this machine. */
  pollsPerSecond: number;
  polls: number;
  mailboxes: number;
  concurrency: number;
  seconds: number;
  /** Outcomes other than an idle pull (busy, failed...); not counted as polls. */
  otherOutcomes: Record<string, number>;
  cores: number;
  cpuSeconds: CpuSplit;
  /** CPU-s per poll in the app's process (host, app, bench), over the concurrent run. */
  appCpuMsPerPoll: number;
  budgetPollsPerSecond: number;
  withinBudget: boolean;
  counted: string;
}

/** Where each bench poll sends the message a chain poll would send (its successor): a queue nothing reads. */
const SUCCESSOR_QUEUE = 'bench-mail-poll-successors';

/**
 * Idle mailboxes polled through the app's own worker (`processWork` with the `workerDeps` the sync-worker function
 * uses, so the same per-instance memory, stores and IMAP connection pool), called directly in the app's process.
 * Each bench poll is a pull of the DingTalk inbox that is not part of the chain (reason sweep: it pulls like a chain
 * poll, but leaves the mailbox's running chain alone, which a poll message of the bench's would double or, joining
 * the chain's own message, send its successor elsewhere); the one thing a chain poll does besides is to send its
 * successor, so each bench poll sends one such message to a queue nothing reads. What is not counted: the queue
 * trigger's receive and delete of the message.
 */
export async function measureIdlePolls(p: Pipeline, options: IdlePollOptions): Promise<IdlePollFigures> {
  const app = getAppContext();
  const deps: WorkerDeps = workerDeps(app, getServices());
  const successors = new StorageWorkQueue(app.storage, SUCCESSOR_QUEUE);
  const poll = async (person: BenchPerson): Promise<WorkOutcome> => {
    const work: WorkItem = {
      pairId: person.entraId,
      kind: 'mail',
      side: 'dingtalk',
      folder: 'INBOX',
      reason: 'sweep',
      hintedAt: Date.now(),
    };
    const outcome = await processWork(deps, work);
    await successors.enqueue({ ...work, reason: 'poll' }, { delaySeconds: p.mail!.pollSeconds });
    return outcome;
  };
  await p.quiet(120_000);
  // Every mailbox once, so each has an open connection and nothing new: the figures are of reused connections.
  for (const person of p.people) await poll(person);

  // One at a time: the time of one poll and the commands the mail server received for that mailbox meanwhile.
  const commandsSince = Date.now();
  const tableBefore = (await p.calls.now()).table.requests;
  const timed: Array<{ email: string; from: number; to: number; ms: number }> = [];
  for (let i = 0; i < options.sequential; i++) {
    const person = p.people[i % p.people.length]!;
    const from = Date.now();
    const started = performance.now();
    await poll(person);
    timed.push({ email: person.email.toLowerCase(), from, to: Date.now(), ms: performance.now() - started });
  }
  const tableOperations = (await p.calls.now()).table.requests - tableBefore;
  const commands = await p.fakes.call('imapCommands', commandsSince);
  const perPoll = timed.map((t) =>
    commands
      .filter((c) => c.email.toLowerCase() === t.email && c.at >= t.from && c.at <= t.to)
      .map((c) => c.command),
  );
  const sequences = new Map<string, number>();
  for (const s of perPoll) sequences.set(s.join(', '), (sequences.get(s.join(', ')) ?? 0) + 1);
  const common = [...sequences.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const msSummary = summarize(timed.map((t) => t.ms));

  // Many at once: `concurrency` polls in flight, every mailbox `rounds` times, never one mailbox twice at once.
  const order = Array.from({ length: options.rounds }, () => p.people).flat();
  if (options.concurrency > p.people.length) throw new Error('more polls at once than mailboxes');
  const outcomes: Record<string, number> = {};
  let next = 0;
  const cpuBefore = await p.cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < order.length) {
        const person = order[next++]!;
        const outcome = await poll(person);
        const key = outcome.status === 'synced' && outcome.changes === 0 ? 'idle' : outcome.status;
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuBetween(cpuBefore, await p.cpu());
  const polls = outcomes.idle ?? 0;
  const { idle: _idle, ...otherOutcomes } = outcomes;
  const pollsPerSecond = round(polls / seconds);
  progress(
    `mail idle poll: ${median(perPoll.map((s) => s.length))} round trips (${common}), p50 ${msSummary.p50Ms} ms; ` +
      `${polls} polls, ${options.concurrency} at once, in ${round(seconds, 2)} s = ${pollsPerSecond}/s`,
  );
  const queue = await app.storage.queue(SUCCESSOR_QUEUE);
  await queue.clearMessages();
  return {
    roundTrips: median(perPoll.map((s) => s.length)),
    commands: common ? common.split(', ') : [],
    ms: msSummary.p50Ms,
    msSummary,
    tableOperations: round(tableOperations / options.sequential, 2),
    pollsPerSecond,
    polls,
    mailboxes: p.people.length,
    concurrency: options.concurrency,
    seconds: round(seconds, 2),
    otherOutcomes,
    cores: os.cpus().length,
    cpuSeconds,
    appCpuMsPerPoll: round((cpuSeconds.app * 1000) / Math.max(1, polls), 2),
    budgetPollsPerSecond: BUDGETS.mailIdlePollsPerSecond,
    withinBudget: pollsPerSecond >= BUDGETS.mailIdlePollsPerSecond,
    counted:
      "An idle poll is one processWork of a pull of the DingTalk INBOX in the app's process with the sync-worker " +
      "function's deps (the pair's state row, the IMAP poll on the reused connection), plus one queue message " +
      "standing for the chain's successor; not the queue trigger's receive and delete. Only pulls that found " +
      'nothing count. Zero injected latency; the poll chains of the same mailboxes keep running meanwhile (one ' +
      'poll per mailbox per interval, not counted).',
  };
}
