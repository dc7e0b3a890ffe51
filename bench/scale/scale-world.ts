import { startAzurite } from '../../sandbox/azurite';
import { startFakeDingTalk, type FakeDingTalk } from '../../sandbox/dingtalk';
import { startFakeGraph, type FakeGraph } from '../../sandbox/graph/fake-graph';
import { createAppContext, type AppContext } from '../../shared/app/context';
import { createServices, type Services } from '../../shared/app/services';
import { ManualClock } from '../../shared/platform/clock';
import { loadConfig, SANDBOX_DEFAULTS } from '../../shared/platform/config';
import { createLogger } from '../../shared/platform/logger';
import { seedPeople, type BenchPerson } from '../pipeline/people';
import { countTableOperations, type TableCounts } from '../pipeline/table-counter';
import { tapQueues, type QueueTap } from './queue-tap';
import { timerPeriodMs } from './timer-period';
import { startValidationEndpoint } from './validation-endpoint';

/**
 * Everything the timer's code talks to, for N paired people: Azurite, both fakes, the app's own context and
 * services as the Functions app builds them, on one clock the bench moves. Only the app's storage is counted.
 */
export interface ScaleWorld {
  clock: ManualClock;
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  app: AppContext;
  services: Services;
  people: BenchPerson[];
  tables: () => TableCounts;
  queues: QueueTap;
  timerPeriodMs: number;
  /** Warnings and errors the app logged, and the first few error lines (what failed, when something did). */
  logged(): { warnings: number; errors: number; firstErrors: string[] };
  seedMs: number;
  stop(): Promise<void>;
}

const FIRST_ERRORS_KEPT = 5;

export async function startScaleWorld(peopleCount: number): Promise<ScaleWorld> {
  const stoppers: Array<() => Promise<void>> = [];
  // Azurite is a child process: an interrupted bench must not leave it behind, even while seeding.
  const interrupted = () => void stop().finally(() => process.exit(130));
  const stop = async () => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // Subscription lifetimes, token expiries and sweep intervals all read this clock, so runs minutes apart can
    // follow each other at once. DingTalk's per-second limits stay on real time in the fake and in the app.
    const clock = new ManualClock(Date.now());
    const azurite = await startAzurite();
    stoppers.push(() => azurite.stop());
    const graph = await startFakeGraph({
      clock,
      tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!],
      maxCapturedRequests: 1_000_000,
    });
    stoppers.push(() => graph.stop());
    const dingtalk = await startFakeDingTalk({
      clock,
      appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
      appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
      corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
    });
    stoppers.push(() => dingtalk.stop());
    const endpoint = await startValidationEndpoint();
    stoppers.push(() => endpoint.stop());

    const seedStarted = performance.now();
    const people = seedPeople(graph, dingtalk, peopleCount);
    const seedMs = performance.now() - seedStarted;

    const config = loadConfig({
      SYNC_MODE: 'sandbox',
      AzureWebJobsStorage: azurite.connectionString,
      PUBLIC_BASE_URL: endpoint.url,
      GRAPH_AUTHORITY_HOST: graph.url,
      GRAPH_BASE_URL: graph.url,
      DINGTALK_API_BASE: dingtalk.url,
      DINGTALK_OAPI_BASE: dingtalk.url,
      DINGTALK_MONTHLY_CALL_QUOTA: '100000000',
      SYNC_KINDS: 'calendar',
    });
    const logged = { warnings: 0, errors: 0, firstErrors: [] as string[] };
    const log = createLogger({
      level: 'warn',
      sink: (level, line) => {
        if (level !== 'error') return void logged.warnings++;
        logged.errors++;
        if (logged.firstErrors.length < FIRST_ERRORS_KEPT) logged.firstErrors.push(line.slice(0, 600));
      },
    });
    const app = createAppContext(config, { log, clock });
    // Instrumented before the app's first request, so every client it will use carries the counters.
    const tables = countTableOperations(app.storage);
    const queues = tapQueues(app.storage, () => clock.now());
    const services = createServices(app);
    return {
      clock,
      graph,
      dingtalk,
      app,
      services,
      people,
      tables: tables.counts,
      queues,
      timerPeriodMs: timerPeriodMs(config.timerSchedule, clock.now()),
      logged: () => ({ ...logged, firstErrors: [...logged.firstErrors] }),
      seedMs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
