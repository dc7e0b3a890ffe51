/**
 * `npm run bench`: measures the figures of DESIGN.md §8 against the whole product running locally (Azurite, the
 * fake Graph and DingTalk, the local Functions host with dist/functions). Progress goes to stderr; the figures go to
 * stdout as one JSON object and to bench/results/latest.json. Nothing here passes or fails on timing.
 * BENCH_ONLY=cold-start measures figure 5 alone (no pipeline) and writes it to bench/results/cold-start.json;
 * BENCH_ONLY=scale runs the scale phase alone (BENCH_SCALE_USERS people, default 10,000) into bench/results/scale.json.
 * BENCH_ONLY=throughput runs figure 3 alone (and the bursts' costs) into bench/results/throughput.json;
 * BENCH_ONLY=ack runs figure 1 (webhook acks) alone on a pipeline of its own into bench/results/ack.json;
 * BENCH_ONLY=ack-apart measures it with the sync worker's queue trigger on a host process of its own, as Flex
 * Consumption places it (pipeline/worker-apart.ts), into bench/results/ack-apart.json.
 * BENCH_ONLY=pipeline runs the pipeline's figures (1-4, 6) alone, without cold start and scale, into latest.json.
 * BENCH_ONLY=mail runs the mail phase alone (a pipeline of its own with SYNC_KINDS=mail) into bench/results/mail.json.
 * BENCH_ONLY=todo-contacts runs the to-do and contact phase alone (SYNC_KINDS=todo,contact) into
 * bench/results/todo-contacts.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processSettings } from '../shared/platform/process-settings';
import { measureColdStart } from './figures/cold-start';
import { measureMail, type MailSettings } from './figures/mail';
import { measurePropagation } from './figures/propagation';
import { remoteCallFigures } from './figures/remote-calls';
import { measureScale, scaleSettingsFromEnv } from './figures/scale';
import { measureThroughput } from './figures/throughput';
import { measureTodoContacts, type TodoContactSettings } from './figures/todo-contacts';
import { measureWebhookAcks } from './figures/webhook-ack';
import { startPipeline } from './pipeline/start-pipeline';
import { RESULTS_FILE } from './support/paths';
import { progress } from './support/progress';
import { queueConcurrency } from './support/queue-concurrency';
import { round } from './support/stats';

const COLD_START_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'cold-start.json');
const SCALE_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'scale.json');
const THROUGHPUT_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'throughput.json');
const MAIL_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'mail.json');
const ACK_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'ack.json');
const ACK_APART_FILE = path.join(path.dirname(RESULTS_FILE), 'ack-apart.json');
const TODO_CONTACTS_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'todo-contacts.json');

const MAIL: MailSettings = {
  users: 20,
  // The smallest interval the app allows: DingTalk → Outlook waits for the mailbox's next poll.
  pollSeconds: 15,
  propagation: { samples: 20, latencyMs: 50, pollMs: 10, waitMs: 20_000, bytes: 10_000 },
  // As many at once as one Functions instance runs (host.json batchSize + newBatchThreshold).
  idlePoll: { sequential: 100, concurrency: queueConcurrency(), rounds: 25 },
  throughput: { mailsPerMailbox: 5, bytes: 100_000, pollMs: 200, waitMs: 180_000 },
  memory: { bytes: 25_000_000, sampleMs: 20, waitMs: 120_000 },
};

const TODO_CONTACTS: TodoContactSettings = {
  users: 20,
  // The smallest intervals the app allows: a change waits for the next poll of its side.
  todoPollSeconds: 30,
  contactPollSeconds: 60,
  todoTimeZone: 'Asia/Shanghai',
  history: { todos: 10, contacts: 12 },
  propagation: { lookMs: 100, waitIntervals: 3 },
  idleRounds: 3,
};

const SETTINGS = {
  users: 100,
  coldStartRuns: 12,
  // The warm-up sends at least one request per person and per subscription (figures/webhook-ack.ts).
  ack: { warmup: 100, requests: 500 },
  propagation: { changesPerOperation: 10, latencyMs: 50, pollMs: 10, waitMs: 20_000 },
  throughput: {
    // DingTalk's 20 ListEvents a second bound the pulls, so the rate has to come from many changes per pull.
    // Offered at twice the target, so what is measured is the pipeline, not the pace.
    dingtalkToOutlook: { changesPerUser: 20, offeredChangesPerSecond: 400, pollMs: 200, waitMs: 120_000 },
    // Each change is one CreateEvent at 20 a second: 200 changes take 10 s at the ceiling.
    outlookToDingtalk: { changesPerUser: 2, offeredChangesPerSecond: 40, pollMs: 200, waitMs: 120_000 },
  },
};

async function main(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  if (process.env.BENCH_ONLY === 'scale') {
    const scale = await measureScale(scaleSettingsFromEnv());
    return publish(SCALE_ONLY_FILE, {
      generatedAt: new Date().toISOString(),
      machine: machine(loadAtStart),
      scale,
    });
  }
  if (process.env.BENCH_ONLY === 'throughput') return throughputOnly(machine(loadAtStart));
  if (process.env.BENCH_ONLY === 'mail') {
    const mail = await measureMail(MAIL);
    return publish(MAIL_ONLY_FILE, {
      generatedAt: new Date().toISOString(),
      machine: machine(loadAtStart),
      settings: MAIL,
      mail,
    });
  }
  if (process.env.BENCH_ONLY === 'todo-contacts') {
    const figures = await measureTodoContacts(TODO_CONTACTS);
    return publish(TODO_CONTACTS_ONLY_FILE, {
      generatedAt: new Date().toISOString(),
      machine: machine(loadAtStart),
      settings: TODO_CONTACTS,
      ...figures,
    });
  }
  const ackOnly = process.env.BENCH_ONLY === 'ack' || process.env.BENCH_ONLY === 'ack-apart';
  const workerApart = process.env.BENCH_ONLY === 'ack-apart';
  const pipelineOnly = process.env.BENCH_ONLY === 'pipeline' || ackOnly;
  // First, while nothing else runs: a cold start is a fresh process on an idle instance.
  const coldStart = pipelineOnly ? undefined : await measureColdStart(SETTINGS.coldStartRuns);
  if (process.env.BENCH_ONLY === 'cold-start') {
    return publish(COLD_START_ONLY_FILE, {
      generatedAt: new Date().toISOString(),
      machine: machine(loadAtStart),
      settings: { coldStartRuns: SETTINGS.coldStartRuns },
      coldStart,
    });
  }

  const pipeline = await startPipeline(SETTINGS.users, { workerApart });
  // Azurite is a child process: an interrupted run must not leave it behind.
  const interrupted = () => void pipeline.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const webhookAck = await measureWebhookAcks(pipeline, SETTINGS.ack);
    if (ackOnly) {
      return await publish(workerApart ? ACK_APART_FILE : ACK_ONLY_FILE, {
        generatedAt: new Date().toISOString(),
        machine: machine(loadAtStart),
        settings: {
          users: SETTINGS.users,
          ack: SETTINGS.ack,
          worker: workerApart ? 'another process' : 'the same process',
        },
        webhookAck,
      });
    }
    const propagation = await measurePropagation(pipeline, SETTINGS.propagation);
    await pipeline.quiet();
    const throughput = await measureThroughput(pipeline, SETTINGS.throughput);
    // Mail and scale last, each on an Azurite and fakes of its own: the pipeline's would share the cores with them.
    await pipeline.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    const mail = pipelineOnly ? undefined : await measureMail(MAIL);
    const todoContacts = pipelineOnly ? undefined : await measureTodoContacts(TODO_CONTACTS);
    const scale = pipelineOnly ? undefined : await measureScale(scaleSettingsFromEnv());

    const results = {
      generatedAt: new Date().toISOString(),
      machine: machine(loadAtStart),
      settings: SETTINGS,
      webhookAck,
      propagation: propagation.figures,
      throughput: throughput.figure,
      remoteCallsPerChange: remoteCallFigures(propagation.costs, throughput.costs),
      coldStart,
      memory: throughput.memory,
      mail,
      todo: todoContacts?.todo,
      contacts: todoContacts?.contacts,
      hostLog: pipeline.hostLog(),
      storageStalls: pipeline.stalls.stalls().map((s) => ({
        atSecond: round(s.startMs / 1000),
        ms: round(s.endMs - s.startMs, 0),
        service: s.service,
      })),
      scale,
      benchSeconds: round((performance.now() - started) / 1000),
    };
    await publish(RESULTS_FILE, results);
  } finally {
    await pipeline.stop();
  }
}

async function throughputOnly(machineAtStart: ReturnType<typeof machine>): Promise<void> {
  const pipeline = await startPipeline(SETTINGS.users);
  try {
    const throughput = await measureThroughput(pipeline, SETTINGS.throughput);
    await publish(THROUGHPUT_ONLY_FILE, {
      generatedAt: new Date().toISOString(),
      machine: {
        ...machineAtStart,
        loadAverage: { ...machineAtStart.loadAverage, atEnd: round(os.loadavg()[0]!, 2) },
      },
      settings: { users: SETTINGS.users, throughput: SETTINGS.throughput },
      throughput: throughput.figure,
      burstCostsPerChange: throughput.costs,
      memory: throughput.memory,
      hostLog: pipeline.hostLog(),
    });
  } finally {
    await pipeline.stop();
  }
}

function machine(loadAtStart: number) {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    platform: process.platform,
    // The Node arguments and environment the app's process runs with move the memory figures (docs/benchmarks.md).
    process: processSettings(),
    // Other work on the machine moves every timing figure; the 1-minute load average says how much there was.
    loadAverage: { atStart: round(loadAtStart, 2), atEnd: round(os.loadavg()[0]!, 2) },
  };
}

/** Writes the figures to `file` and to stdout. */
async function publish(file: string, results: object): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  progress(`figures written to ${path.relative(process.cwd(), file)}`);
  await new Promise<void>((resolve) =>
    process.stdout.write(JSON.stringify(results, null, 2) + '\n', () => resolve()),
  );
}

main().then(
  // Keep-alive sockets of the app's HTTP clients would hold the process open for a while after everything stopped.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exit(1);
  },
);
