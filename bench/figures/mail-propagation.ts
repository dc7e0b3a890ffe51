import { setTimeout as sleep } from 'node:timers/promises';
import type { MailSpec } from '../fakes/mail-operations';
import { costPerChange, type CostPerChange } from '../pipeline/call-counts';
import type { BenchPerson } from '../pipeline/people';
import { injectRemoteLatency } from '../pipeline/remote-latency';
import type { Pipeline } from '../pipeline/start-pipeline';
import { BUDGETS } from '../support/budgets';
import { progress } from '../support/progress';
import { round, summarize, type LatencySummary } from '../support/stats';
import { pollUntil } from '../support/wait';

export interface MailPropagationOptions {
  samples: number;
  latencyMs: number;
  /** How often the bench looks for the copy. */
  pollMs: number;
  waitMs: number;
  /** Size of each mail. */
  bytes: number;
}

/** Remote calls and table operations per mail, over the direction's samples, echoes included. */
export type MailCost = CostPerChange & { imapCommands: number; imapCommandsByKind: Record<string, number> };

interface Judged extends LatencySummary {
  /** Mails whose copy did not show within the wait; not in the percentiles. */
  notSeen: number;
  budget: { p50Ms: number; p99Ms: number };
  withinBudget: boolean;
  costPerMail: MailCost;
}

export interface MailPropagationFigures {
  injectedLatencyMsPerRemoteCall: number;
  /** Push-driven: a Graph notification starts the pull; one mail at a time, each for the next person. */
  outlookToDingtalk: Judged;
  dingtalkToOutlook: Judged & {
    pollIntervalMs: number;
    /**
     * From the first IMAP command the app sent the mailbox after the mail arrived (the poll that found it) until
     * the copy was in Outlook: the poll chain's own cost, without the wait for the mailbox's slot.
     */
    fromPollStart: LatencySummary;
  };
}

const spec = (subject: string, bytes: number): MailSpec => ({ subject, bytes });

/**
 * Mail propagation with latency on every remote call: Graph and DingTalk API requests (the fakes' latency rule) and
 * every IMAP command, login included (the mail server's `slow` fault). Timed on the wall clock from the delivery
 * (in the fakes' process) until the bench sees the copy in the other mailbox, polled every pollMs.
 */
export async function measureMailPropagation(
  p: Pipeline,
  options: MailPropagationOptions,
): Promise<MailPropagationFigures> {
  const clearLatency = await injectRemoteLatency(p.fakes, options.latencyMs);
  await p.fakes.call('injectImapLatency', options.latencyMs);
  try {
    const outlookToDingtalk = await fromOutlook(p, options);
    await p.quiet(120_000);
    const dingtalkToOutlook = await fromDingtalk(p, options);
    return { injectedLatencyMsPerRemoteCall: options.latencyMs, outlookToDingtalk, dingtalkToOutlook };
  } finally {
    await p.fakes.call('clearImapLatency');
    await clearLatency();
  }
}

/** One mail at a time, each in the next person's Outlook inbox, timed until it is in their DingTalk inbox. */
async function fromOutlook(p: Pipeline, options: MailPropagationOptions): Promise<Judged> {
  const tag = `bench mail o2d ${Date.now().toString(36)}`;
  await p.quiet(120_000);
  const before = await p.calls.now();
  const commandsSince = Date.now();
  const samples: number[] = [];
  let notSeen = 0;
  for (let i = 0; i < options.samples; i++) {
    const person = p.people[i % p.people.length]!;
    const subject = `${tag} ${i}.`;
    const { deliveredAt } = await p.fakes.call('deliverToOutlook', [
      { person, spec: spec(subject, options.bytes) },
    ]);
    const seenAt = await arrival(p, 'countInDingtalk', person, subject, options);
    if (seenAt === undefined) notSeen++;
    else samples.push(seenAt - deliveredAt);
  }
  await p.quiet(120_000);
  const costPerMail = await mailCost(p, before, commandsSince, options.samples);
  const summary = summarize(samples);
  progress(`mail propagation Outlook→DingTalk: p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`);
  const budget = { p50Ms: BUDGETS.mailOutlookToDingtalkP50Ms, p99Ms: BUDGETS.mailOutlookToDingtalkP99Ms };
  return {
    ...summary,
    notSeen,
    budget,
    withinBudget: notSeen === 0 && summary.p50Ms <= budget.p50Ms && summary.p99Ms <= budget.p99Ms,
    costPerMail,
  };
}

/**
 * The real poll chain: each mail arrives in a different person's DingTalk inbox, at a random moment within one poll
 * interval (so the arrivals fall anywhere between two polls of the mailbox), all of them during the same stretch,
 * each timed on its own until its copy is in that person's Outlook inbox.
 */
async function fromDingtalk(
  p: Pipeline,
  options: MailPropagationOptions,
): Promise<MailPropagationFigures['dingtalkToOutlook']> {
  const intervalMs = p.mail!.pollSeconds * 1000;
  const tag = `bench mail d2o ${Date.now().toString(36)}`;
  const people = p.people.slice(0, Math.min(options.samples, p.people.length));
  const before = await p.calls.now();
  const commandsSince = Date.now();
  const offsets = people.map(() => Math.random() * intervalMs);
  const results = await Promise.all(
    people.map(async (person, i) => {
      await sleep(offsets[i]!);
      const subject = `${tag} ${i}.`;
      const { deliveredAt } = await p.fakes.call('deliverToDingtalk', [
        { person, spec: spec(subject, options.bytes) },
      ]);
      const seenAt = await arrival(p, 'countInOutlook', person, subject, {
        ...options,
        waitMs: options.waitMs + intervalMs,
      });
      return { person, deliveredAt, seenAt };
    }),
  );
  await p.quiet(120_000);
  // The poll that found each mail: the first command the app sent that mailbox after the mail was there.
  const commands = await p.fakes.call('imapCommands', commandsSince);
  const samples: number[] = [];
  const afterPollStart: number[] = [];
  let notSeen = 0;
  for (const r of results) {
    if (r.seenAt === undefined) {
      notSeen++;
      continue;
    }
    samples.push(r.seenAt - r.deliveredAt);
    const email = r.person.email.toLowerCase();
    const pollStart = commands.find((c) => c.email.toLowerCase() === email && c.at >= r.deliveredAt)?.at;
    if (pollStart !== undefined) afterPollStart.push(r.seenAt - pollStart);
  }
  const costPerMail = await mailCost(p, before, commandsSince, people.length);
  const summary = summarize(samples);
  const limit = intervalMs + BUDGETS.mailDingtalkToOutlookOverPollIntervalMs;
  progress(
    `mail propagation DingTalk→Outlook (poll every ${intervalMs / 1000} s): p50 ${summary.p50Ms} ms, ` +
      `p99 ${summary.p99Ms} ms; from the poll's start p50 ${summarize(afterPollStart).p50Ms} ms`,
  );
  return {
    ...summary,
    pollIntervalMs: intervalMs,
    fromPollStart: summarize(afterPollStart),
    notSeen,
    budget: { p50Ms: limit, p99Ms: limit },
    withinBudget: notSeen === 0 && summary.p99Ms <= limit,
    costPerMail,
  };
}

/** When (wall clock) the copy showed in the person's other inbox; undefined if it did not within the wait. */
function arrival(
  p: Pipeline,
  where: 'countInDingtalk' | 'countInOutlook',
  person: BenchPerson,
  subject: string,
  options: MailPropagationOptions,
): Promise<number | undefined> {
  return pollUntil(
    async () => ((await p.fakes.call(where, [{ person, prefix: subject }])) > 0 ? Date.now() : undefined),
    options.pollMs,
    options.waitMs,
  );
}

/** The pipeline's calls between two readings per mail, with the IMAP commands the mail server received. */
export async function mailCost(
  p: Pipeline,
  before: Awaited<ReturnType<Pipeline['calls']['now']>>,
  commandsSince: number,
  mails: number,
): Promise<MailCost> {
  const after = await p.calls.now();
  const commands = await p.fakes.call('imapCommands', commandsSince);
  const byKind: Record<string, number> = {};
  for (const c of commands) {
    const verb = c.command.startsWith('UID ')
      ? c.command.split(' ').slice(0, 2).join(' ')
      : c.command.split(' ')[0]!;
    byKind[verb] = (byKind[verb] ?? 0) + 1;
  }
  return {
    ...costPerChange(before, after, mails),
    imapCommands: round(commands.length / mails, 2),
    imapCommandsByKind: Object.fromEntries(
      Object.entries(byKind)
        .map(([k, n]) => [k, round(n / mails, 2)] as const)
        .sort((a, b) => b[1] - a[1]),
    ),
  };
}
