import type { Delivery } from '../fakes/mail-operations';
import type { BenchPerson } from '../pipeline/people';
import type { Pipeline } from '../pipeline/start-pipeline';
import { cpuBetween, type CpuSplit } from '../support/cpu-split';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { pollUntil } from '../support/wait';
import { mailCost, type MailCost } from './mail-propagation';

export interface MailBurstOptions {
  mailsPerMailbox: number;
  bytes: number;
  pollMs: number;
  waitMs: number;
}

export interface MailBurst {
  mails: number;
  mailboxes: number;
  bytesPerMail: number;
  /** From the first delivery until every copy is in its owner's other inbox (or until the last that arrived). */
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  firstArrivalAfterMs: number;
  missing: number;
  /** Copies beyond one per mail once the pipeline was quiet: on the other side, and back on the source. */
  duplicates: number;
  duplicatesOnSource: number;
  /** CPU seconds per mail by process (support/cpu-split.ts), from the first delivery until quiet again. */
  cpuSecondsPerMail: CpuSplit;
  costPerMail: MailCost;
  how: string;
}

export interface MailThroughputFigures {
  dingtalkToOutlook: MailBurst;
  outlookToDingtalk: MailBurst;
}

/** Both directions, one after the other, zero latency, every mail of `bytes`. */
export async function measureMailThroughput(
  p: Pipeline,
  options: MailBurstOptions,
): Promise<MailThroughputFigures> {
  const dingtalkToOutlook = await burst(p, 'dingtalk', options);
  const outlookToDingtalk = await burst(p, 'outlook', options);
  return { dingtalkToOutlook, outlookToDingtalk };
}

const HOW = {
  dingtalk:
    'Every mail delivered to the DingTalk inboxes at once, then one work message per mailbox (reason sweep) so the ' +
    "pulls start now rather than at each mailbox's next poll slot; from the first delivery until every copy is in " +
    'Outlook.',
  outlook:
    'Every mail delivered to the Outlook inboxes one after another (each delivery notifies the subscription); from ' +
    'the first delivery until every copy is in DingTalk.',
};

/**
 * One work message for the person's DingTalk inbox (reason sweep), through the bench's own context: the pull starts
 * now rather than at the mailbox's next poll slot.
 */
export function pullDingtalkInboxNow(p: Pipeline, person: BenchPerson): Promise<void> {
  return p.observer.stores.workQueue.enqueue({
    pairId: person.entraId,
    kind: 'mail',
    side: 'dingtalk',
    folder: 'INBOX',
    reason: 'sweep',
  });
}

async function burst(
  p: Pipeline,
  source: 'dingtalk' | 'outlook',
  options: MailBurstOptions,
): Promise<MailBurst> {
  const tag = `bench mail burst ${source} ${Date.now().toString(36)}`;
  const prefix = (u: number) => `${tag} u${u}.`;
  const owners = p.people.map((person, u) => ({ person, prefix: prefix(u) }));
  const deliveries: Delivery[] = p.people.flatMap((person, u) =>
    Array.from({ length: options.mailsPerMailbox }, (_, k) => ({
      person,
      spec: { subject: `${prefix(u)}${k}`, bytes: options.bytes },
    })),
  );
  const [countTarget, countSource] =
    source === 'dingtalk'
      ? (['countInOutlook', 'countInDingtalk'] as const)
      : (['countInDingtalk', 'countInOutlook'] as const);

  await p.quiet(120_000);
  const before = await p.calls.now();
  const cpuBefore = await p.cpu();
  const commandsSince = Date.now();
  const times = await p.fakes.call(
    source === 'dingtalk' ? 'deliverToDingtalk' : 'deliverToOutlook',
    deliveries,
  );
  if (source === 'dingtalk') for (const person of p.people) await pullDingtalkInboxNow(p, person);
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  let arrived = 0;
  const doneAt = await pollUntil(
    async () => {
      const seen = await p.fakes.call(countTarget, owners);
      const now = Date.now();
      if (seen > 0) firstAt ??= now;
      if (seen > arrived) lastAt = now;
      arrived = seen;
      return seen >= deliveries.length ? now : undefined;
    },
    options.pollMs,
    options.waitMs,
  );
  const endAt = doneAt ?? lastAt ?? Date.now();
  const seconds = (endAt - times.startedAt) / 1000;
  await p.quiet(120_000);
  const cpuSecondsPerMail = cpuBetween(cpuBefore, await p.cpu(), deliveries.length);
  const onTarget = await p.fakes.call(countTarget, owners);
  const onSource = await p.fakes.call(countSource, owners);
  const costPerMail = await mailCost(p, before, commandsSince, deliveries.length);
  const messagesPerSecond = round(Math.min(arrived, deliveries.length) / seconds, 2);
  progress(
    `mail throughput ${source}→: ${arrived}/${deliveries.length} mails of ${options.bytes / 1000} KB in ` +
      `${round(seconds, 2)} s = ${messagesPerSecond}/s`,
  );
  return {
    mails: deliveries.length,
    mailboxes: p.people.length,
    bytesPerMail: options.bytes,
    seconds: round(seconds, 2),
    messagesPerSecond,
    megabytesPerSecond: round((messagesPerSecond * options.bytes) / 1e6, 2),
    firstArrivalAfterMs: round((firstAt ?? Number.NaN) - times.startedAt),
    missing: deliveries.length - Math.min(onTarget, deliveries.length),
    duplicates: Math.max(0, onTarget - deliveries.length),
    duplicatesOnSource: Math.max(0, onSource - deliveries.length),
    cpuSecondsPerMail,
    costPerMail,
    how: HOW[source],
  };
}
