import type { Pipeline } from '../pipeline/start-pipeline';
import { BUDGETS } from '../support/budgets';
import { startMemorySampler } from '../support/memory-sampler';
import { progress } from '../support/progress';
import { round } from '../support/stats';
import { pollUntil } from '../support/wait';
import { pullDingtalkInboxNow } from './mail-throughput';

/**
 * The attachment is base64 in the MIME (78 bytes on the wire for 57 decoded): the Outlook copy holds about 0.73 of
 * the mail's bytes as its attachment, the DingTalk copy all of them.
 */
const COMPLETE_SHARE = 0.7;

export interface LargeMailOptions {
  bytes: number;
  sampleMs: number;
  waitMs: number;
}

export interface LargeMailCrossing {
  /** RSS of the app's process just before the mail arrived. */
  baselineRssMb: number;
  /** What the RSS before held, as Node splits it: the V8 heap (allocated, in use) and Buffers outside it. */
  baseline: { heapTotalMb: number; heapUsedMb: number; externalMb: number; arrayBuffersMb: number };
  peakRssMb: number;
  /** The RSS's rise over the baseline: what the crossing itself cost. */
  riseMb: number;
  peakHeapUsedMb: number;
  peakArrayBuffersMb: number;
  /** From the delivery until the copy was whole in the other inbox. */
  seconds: number;
  /** What arrived: raw bytes of the DingTalk copy, or decoded attachment bytes of the Outlook copy (0: none). */
  arrivedBytes: number;
}

export interface MailMemoryFigure {
  mailBytes: number;
  dingtalkToOutlook: LargeMailCrossing;
  outlookToDingtalk: LargeMailCrossing;
  /** The higher of the two peaks. */
  peakRssMb: number;
  budgetMb: number;
  withinBudget: boolean;
  note: string;
}

/**
 * One large mail at a time, each way, zero latency, with nothing else pending: the RSS of the bench process, which
 * holds the Functions host and the app (the fakes, the mail server and Azurite are child processes), sampled from
 * just before the delivery until the copy is in the other inbox.
 */
export async function measureLargeMail(p: Pipeline, options: LargeMailOptions): Promise<MailMemoryFigure> {
  const dingtalkToOutlook = await crossing(p, 'dingtalk', options);
  const outlookToDingtalk = await crossing(p, 'outlook', options);
  const peakRssMb = Math.max(dingtalkToOutlook.peakRssMb, outlookToDingtalk.peakRssMb);
  return {
    mailBytes: options.bytes,
    dingtalkToOutlook,
    outlookToDingtalk,
    peakRssMb,
    budgetMb: BUDGETS.mailPeakRssMb,
    withinBudget:
      peakRssMb <= BUDGETS.mailPeakRssMb &&
      dingtalkToOutlook.arrivedBytes > 0 &&
      outlookToDingtalk.arrivedBytes > 0,
    note:
      'RSS of the bench process (Functions host, app and the bench; the fakes, the mail server, the Key Vault and ' +
      'Azurite run in child processes), sampled every sampleMs from just before the delivery until the copy was ' +
      'in the other inbox, one direction at a time.',
  };
}

async function crossing(
  p: Pipeline,
  source: 'dingtalk' | 'outlook',
  options: LargeMailOptions,
): Promise<LargeMailCrossing> {
  const person = p.people[0]!;
  const subject = `bench mail large ${source} ${Date.now().toString(36)}.`;
  await p.quiet(120_000);
  const before = process.memoryUsage();
  const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
  const baselineRssMb = mb(before.rss);
  const memory = startMemorySampler(options.sampleMs);
  const delivery = [{ person, spec: { subject, bytes: options.bytes } }];
  const times = await p.fakes.call(
    source === 'dingtalk' ? 'deliverToDingtalk' : 'deliverToOutlook',
    delivery,
  );
  if (source === 'dingtalk') await pullDingtalkInboxNow(p, person);
  // Arrived once the copy holds the mail's bytes (the Outlook copy's attachment is uploaded after the create).
  const arrivedBytesOf = async () => {
    const sizes = await p.fakes.call('sizesOf', person, subject);
    return source === 'dingtalk' ? (sizes.outlookAttachmentBytes[0] ?? 0) : (sizes.dingtalkRawBytes[0] ?? 0);
  };
  const arrivedAt = await pollUntil(
    async () => ((await arrivedBytesOf()) >= COMPLETE_SHARE * options.bytes ? Date.now() : undefined),
    100,
    options.waitMs,
  );
  await p.quiet(120_000);
  const peak = memory.stop();
  const arrivedBytes = await arrivedBytesOf();
  progress(
    `mail ${round(options.bytes / 1e6)} MB ${source}→: peak RSS ${peak.peakRssMb} MB (before ${baselineRssMb} MB), ` +
      `${arrivedAt === undefined ? 'not arrived' : `${round((arrivedAt - times.startedAt) / 1000, 2)} s`}`,
  );
  return {
    baselineRssMb,
    baseline: {
      heapTotalMb: mb(before.heapTotal),
      heapUsedMb: mb(before.heapUsed),
      externalMb: mb(before.external),
      arrayBuffersMb: mb(before.arrayBuffers),
    },
    peakRssMb: peak.peakRssMb,
    riseMb: peak.peakRssMb - baselineRssMb,
    peakHeapUsedMb: peak.peakHeapUsedMb,
    peakArrayBuffersMb: peak.peakArrayBuffersMb,
    seconds: arrivedAt === undefined ? Number.NaN : round((arrivedAt - times.startedAt) / 1000, 2),
    arrivedBytes,
  };
}
