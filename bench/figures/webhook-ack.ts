import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Pipeline } from '../pipeline/start-pipeline';
import { splitByStalls, type TimedSample } from '../pipeline/storage-stalls';
import { BUDGETS } from '../support/budgets';
import { progress } from '../support/progress';
import { round, summarize, type LatencySummary } from '../support/stats';
import { startAckSender, type AckSender } from './ack-sender';
import { dingtalkCallback, graphLifecycle, graphNotification, type WebhookRequest } from './webhook-requests';

export interface AckFigure extends LatencySummary {
  /** Answers other than the expected status; they are not in the percentiles. */
  unexpectedAnswers: number;
  /** Requests that overlapped an Azurite stall (pipeline/storage-stalls.ts), and p99 without them. */
  duringStorageStall: number;
  p99MsOutsideStorageStalls: number;
  budgetP99Ms: number;
  withinBudget: boolean;
  /**
   * How late the process's event loop ran while this path was measured: perf_hooks.monitorEventLoopDelay with a
   * 10 ms timer, less those 10 ms (the histogram holds the whole interval). An ack waits for whatever is on the
   * loop when each of its steps is ready.
   */
  eventLoopLate: { p50Ms: number; p99Ms: number; maxMs: number };
  /** The queue message each accepted request sends before its answer: send to stored, as the app saw it. */
  queueSend: LatencySummary;
}

const LOOP_RESOLUTION_MS = 10;
const lateMs = (ns: number) => round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS), 1);

export interface AckFigures {
  dingtalkCallback: AckFigure;
  graphNotification: AckFigure;
  graphLifecycle: AckFigure;
}

export interface AckOptions {
  warmup: number;
  requests: number;
}

/**
 * Webhook ack latency over real HTTP through the local host: one request at a time, each a distinct event, timed
 * from just before the POST until the whole answer is read, by a sender in a process of its own (ack-sender.ts),
 * as Graph and DingTalk send from theirs. The work the hints cause (queue, worker, pulls) runs in the app's process
 * meanwhile, as it would on a Functions instance that runs every function; with the pipeline's worker apart
 * (pipeline/worker-apart.ts, BENCH_ONLY=ack-apart), in a host process of its own, as Flex Consumption places it.
 */
export async function measureWebhookAcks(p: Pipeline, options: AckOptions): Promise<AckFigures> {
  const subscriptions = await p.fakes.call('subscriptions');
  const bySubscription = (i: number) => subscriptions[i % subscriptions.length]!;
  const paths: Array<[keyof AckFigures, (i: number) => WebhookRequest, number]> = [
    ['dingtalkCallback', (i) => dingtalkCallback(p.people[i % p.people.length]!, i), 200],
    ['graphNotification', (i) => graphNotification(bySubscription(i), i), 202],
    ['graphLifecycle', (i) => graphLifecycle(bySubscription(i), i), 202],
  ];
  const figures = {} as AckFigures;
  const sender = await startAckSender();
  try {
    for (const [name, build, expected] of paths) {
      figures[name] = await measurePath(p, sender, subscriptions.length, name, options, build, expected);
    }
  } finally {
    await sender.stop();
  }
  return figures;
}

async function measurePath(
  p: Pipeline,
  sender: AckSender,
  subscriptionCount: number,
  name: keyof AckFigures,
  options: AckOptions,
  build: (i: number) => WebhookRequest,
  expected: number,
): Promise<AckFigure> {
  const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => build(from + i));
  // At least one request per person and per subscription first: the ingress caches then hold every sender, as on an
  // instance that has been answering for a while (a subscription is read once an hour, a pair every 10 minutes).
  const warmup = Math.max(options.warmup, p.people.length, subscriptionCount);
  await sender.post(p.host.url, batch(options.requests, warmup));
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const sendsBefore = p.queueSends.count();
  loop.enable();
  const answers = await sender.post(p.host.url, batch(0, options.requests));
  loop.disable();
  const samples: TimedSample[] = answers.filter((a) => a.status === expected).map((a) => a.sample);
  const unexpected = answers.length - samples.length;
  await p.quiet(120_000);
  const split = splitByStalls(samples, p.stalls);
  const summary = summarize(split.all);
  const figure: AckFigure = {
    ...summary,
    unexpectedAnswers: unexpected,
    duringStorageStall: split.touched,
    p99MsOutsideStorageStalls: summarize(split.outside).p99Ms,
    budgetP99Ms: BUDGETS.webhookAckP99Ms,
    withinBudget: unexpected === 0 && summary.p99Ms <= BUDGETS.webhookAckP99Ms,
    eventLoopLate: {
      p50Ms: lateMs(loop.percentile(50)),
      p99Ms: lateMs(loop.percentile(99)),
      maxMs: lateMs(loop.max),
    },
    queueSend: summarize(p.queueSends.since(sendsBefore)),
  };
  progress(
    `ack ${name}: p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms, max ${summary.maxMs} ms; ` +
      `queue send p99 ${figure.queueSend.p99Ms} ms, event loop late p99 ${figure.eventLoopLate.p99Ms} ms`,
  );
  return figure;
}
