import { freePort, startAzurite, type AzuriteHandle } from '../../sandbox/azurite';
import { startLocalHost, type LocalHost } from '../../sandbox/host';
import { createAppContext, getAppContext } from '../../shared/app/context';
import { getConfig, SANDBOX_DEFAULTS } from '../../shared/platform/config';
import { createLogger } from '../../shared/platform/logger';
import { startFakesProcess, type Fakes } from '../fakes/fakes-client';
import { readCpu, type CpuReading } from '../support/cpu-split';
import { APP_ROOT } from '../support/paths';
import { progress } from '../support/progress';
import { pollUntil } from '../support/wait';
import { createCallCounter, type CallCounter } from './call-counts';
import { tallyHostLog } from './host-log';
import type { BenchPerson } from './people';
import { waitForQuiet } from './quiet';
import { watchStorageStalls, type StallWatch } from './storage-stalls';
import { countTableOperations } from './table-counter';

export interface Pipeline {
  fakes: Fakes;
  host: LocalHost;
  people: BenchPerson[];
  calls: CallCounter;
  stalls: StallWatch;
  quiet(timeoutMs?: number): Promise<void>;
  cpu(): Promise<CpuReading>;
  hostLog(): { warnings: number; errors: number };
  stop(): Promise<void>;
}

/** A date far from the run, so the maintenance timer never fires by itself; the bench invokes it once. */
const NEVER = '0 0 0 1 1 *';

/** How long pairing, subscribing and the first sync may take. */
const SETTLE_MS = 120_000;

/**
 * The whole product as `npm start` runs it (scripts/start.ts), on free ports: Azurite as a child process, the fake
 * Graph (HTTPS) and DingTalk in another (so their CPU time is not the app's), the local Functions host loading
 * dist/functions/*.js through package.json "main" in this one. Users are paired and subscribed by one maintenance
 * run, and the first sync has settled.
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
    const fakes = await startFakesProcess();
    stoppers.push(() => fakes.stop());
    // Seeded before the callback is set, so no directory callbacks: the maintenance run pairs everyone anyway.
    const people = await fakes.call('seedPeople', peopleCount);

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
        // The calendar figures; mail is measured by its own phase.
        SYNC_KINDS: 'calendar',
        // App log lines would go to stdout, which carries the figures; warnings and errors still reach stderr.
        LOG_LEVEL: 'warn',
        // The bench makes more metered calls in minutes than the standard edition's month allows.
        DINGTALK_MONTHLY_CALL_QUOTA: '100000000',
        PUBLIC_BASE_URL: hostUrl,
        GRAPH_AUTHORITY_HOST: fakes.graphUrl,
        GRAPH_BASE_URL: fakes.graphUrl,
        DINGTALK_API_BASE: fakes.dingtalkUrl,
        DINGTALK_OAPI_BASE: fakes.dingtalkUrl,
      },
    });
    stoppers.push(() => host.stop());
    progress(`Azurite, fake Graph ${fakes.graphUrl}, fake DingTalk ${fakes.dingtalkUrl}, host ${host.url}`);

    // Built before the app's first request, so every table client it will use carries the counter.
    const tables = countTableOperations(getAppContext().storage);
    const observer = createAppContext(getConfig(), { log: createLogger({ level: 'error', sink: () => {} }) });
    const quiet = (timeoutMs?: number) => waitForQuiet({ fakes, observer }, timeoutMs);

    await fakes.call('setCallbackTarget', {
      url: `${host.url}/api/dingtalk/events`,
      token: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
      aesKey: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
    });
    await host.invoke('maintenance');
    const subscribed = await pollUntil(
      async () => ((await fakes.call('subscriptionCount')) >= people.length ? true : undefined),
      50,
      SETTLE_MS,
    );
    if (!subscribed)
      throw new Error(`the maintenance run did not subscribe every user within ${SETTLE_MS / 1000} s`);
    await quiet(SETTLE_MS);
    progress(`${people.length} users paired and subscribed; first sync settled`);
    const stalls = watchStorageStalls(observer);
    stoppers.push(() => stalls.stop());

    return {
      fakes,
      host,
      people,
      calls: createCallCounter(() => fakes.call('remoteCalls'), tables.counts),
      stalls,
      quiet,
      cpu: () => readCpu(fakes),
      hostLog: hostLog.counts,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
