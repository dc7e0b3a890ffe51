import { startAzurite, type AzuriteHandle } from '../../sandbox/azurite';
import { freePort } from '../../sandbox/free-port';
import { startLocalHost, type LocalHost } from '../../sandbox/host';
import { createAppContext, getAppContext, setAppContext, type AppContext } from '../../shared/app/context';
import { isPolled } from '../../shared/app/folders';
import { setServices } from '../../shared/app/services';
import { getConfig, resetConfigForTests, SANDBOX_DEFAULTS } from '../../shared/platform/config';
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
import { countQueueMessages, type QueueSends } from './queue-counter';
import { startWorkerApart } from './worker-apart';

export interface Pipeline {
  fakes: Fakes;
  /** With mail: how often its DingTalk mailboxes are polled. */
  mail?: MailPipelineOptions;
  host: LocalHost;
  /** A context of the bench's own on the app's storage (not counted as the app's): quiet checks, work it queues. */
  observer: AppContext;
  people: BenchPerson[];
  calls: CallCounter;
  stalls: StallWatch;
  /** The app's queue messages, timed. */
  queueSends: QueueSends;
  quiet(timeoutMs?: number): Promise<void>;
  cpu(): Promise<CpuReading>;
  hostLog(): { warnings: number; errors: number };
  stop(): Promise<void>;
}

/** Mail instead of the calendar: DingTalk mailboxes on the sandbox mail server, polled every pollSeconds. */
export interface MailPipelineOptions {
  pollSeconds: number;
}

/**
 * Kinds that neither service pushes (to-dos, contacts): every side is polled, so there is no subscription to wait
 * for, and each polled side of each pair keeps one chain message standing in the queue.
 */
export interface PolledPipelineOptions {
  /** The app's settings for them: SYNC_KINDS, the poll intervals. */
  env: Record<string, string>;
  /** What the fakes hold before the maintenance run pairs the people (their first sync copies it). */
  seed?(fakes: Fakes, people: BenchPerson[]): Promise<void>;
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
export async function startPipeline(
  peopleCount: number,
  options: { mail?: MailPipelineOptions; polled?: PolledPipelineOptions; workerApart?: boolean } = {},
): Promise<Pipeline> {
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    stoppers.length = 0;
  };
  // The app's settings, context and services are read once per process: a pipeline started after another one in
  // this process (mail after the calendar in a full run) must not keep the first one's Azurite, ports and kinds.
  resetConfigForTests();
  setAppContext(undefined);
  setServices(undefined);
  try {
    const azurite: AzuriteHandle = await startAzurite();
    stoppers.push(() => azurite.stop());
    const fakes = await startFakesProcess();
    stoppers.push(() => fakes.stop());
    // Seeded before the callback is set, so no directory callbacks: the maintenance run pairs everyone anyway.
    const people = await fakes.call('seedPeople', peopleCount);
    const mailEnv = options.mail ? await startMail(fakes, people, options.mail) : undefined;
    await options.polled?.seed?.(fakes, people);

    // The app reads PUBLIC_BASE_URL when it loads, so the host's port is chosen before it starts.
    const port = await freePort();
    const hostUrl = `http://127.0.0.1:${port}`;
    const hostLog = tallyHostLog();
    const host: LocalHost = await startLocalHost({
      appRoot: APP_ROOT,
      port,
      log: hostLog.sink,
      // With the worker apart, this host serves HTTP and timers only (worker-apart.ts).
      queues: !options.workerApart,
      env: {
        SYNC_MODE: 'sandbox',
        AzureWebJobsStorage: azurite.connectionString,
        TIMER_SCHEDULE: NEVER,
        // The calendar figures; mail is measured by its own phase, on a pipeline of its own.
        SYNC_KINDS: 'calendar',
        ...mailEnv,
        ...options.polled?.env,
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
    if (options.workerApart) {
      const worker = startWorkerApart();
      stoppers.push(() => worker.stop());
    }
    progress(`Azurite, fake Graph ${fakes.graphUrl}, fake DingTalk ${fakes.dingtalkUrl}, host ${host.url}`);

    // Built before the app's first request, so every table client it will use carries the counter.
    const tables = countTableOperations(getAppContext().storage);
    const queueMessages = countQueueMessages(getAppContext().storage);
    const observer = createAppContext(getConfig(), { log: createLogger({ level: 'error', sink: () => {} }) });
    // Each polled mailbox keeps one message in the queue, its poll chain, once its first poll has run.
    let standing = 0;
    const quiet = (timeoutMs?: number) =>
      waitForQuiet({ fakes, observer, standing: () => standing }, timeoutMs);

    await fakes.call('setCallbackTarget', {
      url: `${host.url}/api/dingtalk/events`,
      token: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
      aesKey: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
    });
    await host.invoke('maintenance');
    const subscribed =
      options.polled !== undefined ||
      (await pollUntil(
        async () => ((await fakes.call('subscriptionCount')) >= people.length ? true : undefined),
        50,
        SETTLE_MS,
      ));
    if (!subscribed)
      throw new Error(`the maintenance run did not subscribe every user within ${SETTLE_MS / 1000} s`);
    if (options.polled) standing = await waitForPolledSides(observer, people.length);
    if (options.mail) {
      await waitForPollChains(observer, people.length);
      standing = people.length;
    }
    await quiet(SETTLE_MS);
    progress(`${people.length} users paired and subscribed; first sync settled`);
    const stalls = watchStorageStalls(observer);
    stoppers.push(() => stalls.stop());

    return {
      fakes,
      mail: options.mail,
      host,
      observer,
      people,
      calls: createCallCounter(
        () => fakes.call('remoteCalls'),
        tables.counts,
        queueMessages.sent,
        // Writes the app batches across changes (audit rows, the DingTalk call counter) are written out at each
        // reading, so every phase pays for its own changes' share and none is left uncounted at the end.
        async () => {
          await getAppContext().stores.audit.outbox.flush();
          await getAppContext().stores.dingtalkCalls.flush?.();
        },
      ),
      stalls,
      queueSends: queueMessages.sends,
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

/**
 * Each mailbox before its first sync: 500 messages older than the look-back window and 50 recent ones already in
 * both mailboxes, so an idle poll scans a real window of flags rather than an empty folder.
 */
const MAILBOX_HISTORY = { old: 500, recent: 50 };

/** The mail server and the vault in the fakes' process, a mailbox and app password per person; the app's settings. */
async function startMail(
  fakes: Fakes,
  people: BenchPerson[],
  mail: MailPipelineOptions,
): Promise<Record<string, string>> {
  const endpoints = await fakes.call('startMail');
  await fakes.call('provisionMailboxes', people);
  await fakes.call('seedMailHistory', people, MAILBOX_HISTORY);
  return {
    SYNC_KINDS: 'mail',
    KEY_VAULT_URL: endpoints.vaultUrl,
    MAIL_IMAP_HOST: endpoints.imapHost,
    MAIL_IMAP_PORT: String(endpoints.imapPort),
    MAIL_POLL_SECONDS: String(mail.pollSeconds),
  };
}

/** Until each pair's DingTalk mailbox has had its first poll, which starts its chain (worker.ts, keepPolling). */
async function waitForPollChains(observer: AppContext, pairs: number): Promise<void> {
  const chained = await pollUntil(
    async () => {
      const all = await observer.stores.users.list();
      if (all.length < pairs) return undefined;
      const states = await Promise.all(
        all.map((pair) => observer.stores.pairState.load(pair.pairId, 'mail')),
      );
      return states.every((s) => s.state.sides.dingtalk.polledAt !== undefined) ? true : undefined;
    },
    250,
    SETTLE_MS,
  );
  if (!chained) throw new Error(`not every mailbox had its first poll within ${SETTLE_MS / 1000} s`);
}

/** Until every polled side of every pair's kinds has had its first poll (its chain); answers how many chains. */
async function waitForPolledSides(observer: AppContext, pairs: number): Promise<number> {
  const chains = await pollUntil(
    async () => {
      const all = await observer.stores.users.list();
      if (all.length < pairs) return undefined;
      const sides = all.flatMap((pair) =>
        pair.enabledKinds.flatMap((kind) =>
          (['dingtalk', 'outlook'] as const)
            .filter((side) => isPolled(kind, side))
            .map((side) => ({ pairId: pair.pairId, kind, side })),
        ),
      );
      const polled = await Promise.all(
        sides.map(
          async (s) =>
            (await observer.stores.pairState.load(s.pairId, s.kind)).state.sides[s.side].polledAt !==
            undefined,
        ),
      );
      return polled.every(Boolean) ? sides.length : undefined;
    },
    250,
    SETTLE_MS,
  );
  if (chains === undefined)
    throw new Error(`not every polled side had its first poll within ${SETTLE_MS / 1000} s`);
  return chains;
}
