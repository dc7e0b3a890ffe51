import { freePort, startAzurite, type AzuriteHandle } from '../../sandbox/azurite';
import { startFakeDingTalk, type FakeDingTalk } from '../../sandbox/dingtalk';
import { startFakeGraph, type FakeGraph } from '../../sandbox/graph/fake-graph';
import { startLocalHost, type LocalHost } from '../../sandbox/host';
import { createAppContext, getAppContext } from '../../shared/app/context';
import { getConfig, SANDBOX_DEFAULTS } from '../../shared/platform/config';
import { createLogger } from '../../shared/platform/logger';
import { APP_ROOT } from '../support/paths';
import { progress } from '../support/progress';
import { pollUntil } from '../support/wait';
import { createCallCounter, type CallCounter } from './call-counts';
import { tallyHostLog } from './host-log';
import { seedPeople, type BenchPerson } from './people';
import { waitForQuiet } from './quiet';
import { watchStorageStalls, type StallWatch } from './storage-stalls';
import { countTableOperations } from './table-counter';

export interface Pipeline {
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  host: LocalHost;
  people: BenchPerson[];
  calls: CallCounter;
  stalls: StallWatch;
  quiet(timeoutMs?: number): Promise<void>;
  hostLog(): { warnings: number; errors: number };
  stop(): Promise<void>;
}

/** A date far from the run, so the maintenance timer never fires by itself; the bench invokes it once. */
const NEVER = '0 0 0 1 1 *';

/**
 * The whole product as `npm start` runs it (scripts/start.ts), on free ports: Azurite as a child process, the fake
 * Graph (HTTPS) and DingTalk in this process, the local Functions host loading dist/functions/*.js through
 * package.json "main". Users are paired and subscribed by one maintenance run, and the first sync has settled.
 */
export async function startPipeline(peopleCount: number): Promise<Pipeline> {
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    const azurite: AzuriteHandle = await startAzurite();
    stoppers.push(() => azurite.stop());
    const graph = await startFakeGraph({
      tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!],
      maxCapturedRequests: 100_000,
    });
    stoppers.push(() => graph.stop());
    const dingtalk = await startFakeDingTalk({
      appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
      appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
      corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
    });
    stoppers.push(() => dingtalk.stop());
    // Seeded before the callback is set, so no directory callbacks: the maintenance run pairs everyone anyway.
    const people = seedPeople(graph, dingtalk, peopleCount);

    // The app reads PUBLIC_BASE_URL when it loads, so the host's port is chosen before it starts.
    const port = await freePort();
    const hostUrl = `http://127.0.0.1:${port}`;
    const hostLog = tallyHostLog();
    const host: LocalHost = await startLocalHost({
      appRoot: APP_ROOT,
      port,
      log: hostLog.sink,
      env: {
        SYNC_MODE: 'sandbox',
        AzureWebJobsStorage: azurite.connectionString,
        TIMER_SCHEDULE: NEVER,
        // App log lines would go to stdout, which carries the figures; warnings and errors still reach stderr.
        LOG_LEVEL: 'warn',
        // The bench makes more metered calls in minutes than the standard edition's month allows.
        DINGTALK_MONTHLY_CALL_QUOTA: '100000000',
        PUBLIC_BASE_URL: hostUrl,
        GRAPH_AUTHORITY_HOST: graph.url,
        GRAPH_BASE_URL: graph.url,
        DINGTALK_API_BASE: dingtalk.url,
        DINGTALK_OAPI_BASE: dingtalk.url,
      },
    });
    stoppers.push(() => host.stop());
    progress(`Azurite, fake Graph ${graph.url}, fake DingTalk ${dingtalk.url}, host ${host.url}`);

    // Built before the app's first request, so every table client it will use carries the counter.
    const tables = countTableOperations(getAppContext().storage);
    const observer = createAppContext(getConfig(), { log: createLogger({ level: 'error', sink: () => {} }) });
    const quiet = (timeoutMs?: number) => waitForQuiet({ graph, dingtalk, observer }, timeoutMs);

    dingtalk.control.setCallbackTarget({
      url: `${host.url}/api/dingtalk/events`,
      token: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
      aesKey: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
    });
    await host.invoke('maintenance');
    const subscribed = await pollUntil(
      () => (graph.control.subscriptions().length >= people.length ? true : undefined),
      50,
      30_000,
    );
    if (!subscribed) throw new Error('the maintenance run did not subscribe every user within 30 s');
    await quiet();
    progress(`${people.length} users paired and subscribed; first sync settled`);
    const stalls = watchStorageStalls(observer);
    stoppers.push(() => stalls.stop());

    return {
      graph,
      dingtalk,
      host,
      people,
      calls: createCallCounter(graph, dingtalk, tables.counts),
      stalls,
      quiet,
      hostLog: hostLog.counts,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
