/**
 * `npm run bench`: measures the figures of DESIGN.md §8 against the whole product running locally (Azurite, the
 * fake Graph and DingTalk, the local Functions host with dist/functions). Progress goes to stderr; the figures go to
 * stdout as one JSON object and to bench/results/latest.json. Nothing here passes or fails on timing.
 * BENCH_ONLY=cold-start measures figure 5 alone (no pipeline) and writes it to bench/results/cold-start.json;
 * BENCH_ONLY=scale runs the scale phase alone (BENCH_SCALE_USERS people, default 10,000) into bench/results/scale.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureColdStart } from './figures/cold-start';
import { measurePropagation } from './figures/propagation';
import { remoteCallFigures } from './figures/remote-calls';
import { measureScale, scaleSettingsFromEnv } from './figures/scale';
import { measureThroughput } from './figures/throughput';
import { measureWebhookAcks } from './figures/webhook-ack';
import { startPipeline } from './pipeline/start-pipeline';
import { RESULTS_FILE } from './support/paths';
import { progress } from './support/progress';
import { round } from './support/stats';

const COLD_START_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'cold-start.json');
const SCALE_ONLY_FILE = path.join(path.dirname(RESULTS_FILE), 'scale.json');

const SETTINGS = {
  users: 10,
  coldStartRuns: 12,
  ack: { warmup: 50, requests: 500 },
  propagation: { changesPerOperation: 10, latencyMs: 50, pollMs: 10, waitMs: 20_000 },
  throughput: { createsPerSide: 150, pollMs: 50, waitMs: 120_000 },
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
  // First, while nothing else runs: a cold start is a fresh process on an idle instance.
  const coldStart = await measureColdStart(SETTINGS.coldStartRuns);
  if (process.env.BENCH_ONLY === 'cold-start') {
    return publish(COLD_START_ONLY_FILE, {
      generatedAt: new Date().toISOString(),
      machine: machine(loadAtStart),
      settings: { coldStartRuns: SETTINGS.coldStartRuns },
      coldStart,
    });
  }

  const pipeline = await startPipeline(SETTINGS.users);
  // Azurite is a child process: an interrupted run must not leave it behind.
  const interrupted = () => void pipeline.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const webhookAck = await measureWebhookAcks(pipeline, SETTINGS.ack);
    const propagation = await measurePropagation(pipeline, SETTINGS.propagation);
    await pipeline.quiet();
    const throughput = await measureThroughput(pipeline, SETTINGS.throughput);
    // Last, on an Azurite and fakes of its own: the pipeline's would share the cores with it.
    await pipeline.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    const scale = await measureScale(scaleSettingsFromEnv());

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
      hostLog: pipeline.hostLog(),
      storageStalls: pipeline.stalls.stalls().map((s) => ({
        atSecond: round(s.startMs / 1000),
        ms: round(s.endMs - s.startMs, 0),
      })),
      scale,
      benchSeconds: round((performance.now() - started) / 1000),
    };
    await publish(RESULTS_FILE, results);
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
