import path from 'node:path';
import { isPolled } from '../../../shared/app/folders';
import type { Kind } from '../../../shared/sync/types';
import { setServices, createServices, type Services } from '../../../shared/app/services';
import { startFakeDingTalk, type FakeDingTalk } from '../../../sandbox/dingtalk';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { startFakeKeyVault, type FakeKeyVault } from '../../../sandbox/keyvault/fake-key-vault';
import { startFakeMailServer, type FakeMailServer } from '../../../sandbox/mail';
import { appPasswordVaultAccess, createAppPasswordVault } from '../../../shared/app/mail/app-password-vault';
import { startLocalHost, type LocalHost } from '../../../sandbox/host';
import { SANDBOX_DEFAULTS } from '../../../shared/platform/config';
import { randomBytes } from 'node:crypto';
import type { RegisteredFunction } from '../../../sandbox/host';
import { createTestApp, type TestApp } from '../../support/app-context';
import { registrations } from '../../support/functions-core-mock';

export interface Person {
  name: string;
  email: string;
  entraId: string;
  unionId: string;
  /** DingTalk userid: external contacts name their follower by it. */
  userid: string;
}

export interface Pipeline {
  app: TestApp;
  services: Services;
  host: LocalHost;
  graph: FakeGraph;
  dingtalk: FakeDingTalk;
  people: Person[];
  /** With `mail`: the sandbox DingTalk Mail server and the Key Vault holding each mailbox's app password. */
  mail?: { server: FakeMailServer; vault: FakeKeyVault; passwords: Record<string, string> };
  /**
   * Waits until no notification, callback or queue message is pending. With `timer`, the maintenance run the
   * timer would start within a minute runs once the queue is empty (retries, sweeps), and the wait goes on.
   */
  quiet(options?: { timer?: boolean; withinMs?: number }): Promise<void>;
  /**
   * Runs maintenance until every person is paired and each of their folders has finished its first sync, then
   * waits for quiet. One run is enough on an idle machine; on a busy one a job can fail (and is retried by the next
   * timer run, which the tests do not have), so this runs it again rather than start the tests on a half-made world.
   */
  onboard(): Promise<void>;
  /** Remote writes so far, on each side. */
  writes(): { graph: number; dingtalk: number };
  stop(): Promise<void>;
}

const FUNCTION_FILES = [
  'health',
  'dingtalk-events',
  'graph-notifications',
  'graph-lifecycle',
  'sync-worker',
  'maintenance',
];

/**
 * The whole product in one process: the real functions served by the local host (HTTP and queue triggers), real
 * Azurite, the fake Graph over HTTPS and the fake DingTalk, both calling the app's webhooks.
 */
export async function startPipeline(
  options: { env?: Record<string, string>; mail?: boolean } = {},
): Promise<Pipeline> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading registers the function, as the worker does
  for (const file of FUNCTION_FILES) require(`../../../functions/${file}`);
  const graph = await startFakeGraph({ tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!] });
  const dingtalk = await startFakeDingTalk({
    appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
    appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
    corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
  });
  const mail = options.mail ? await startMailSandbox() : undefined;
  const mailEnv: Record<string, string> = mail
    ? {
        SYNC_KINDS: 'calendar,mail',
        KEY_VAULT_URL: mail.vault.url,
        MAIL_IMAP_HOST: mail.server.host,
        MAIL_IMAP_PORT: String(mail.server.port),
      }
    : {};
  // Each pipeline has a work queue of its own: suites running side by side on one Azurite must not take each
  // other's messages.
  const workQueue = `sync-work-${randomBytes(4).toString('hex')}`;
  const host = await startLocalHost({
    appRoot: path.join(__dirname, '../../..'),
    port: 0,
    timers: false,
    functions: [...registrations.values()]
      .filter((f) => FUNCTION_FILES.includes(f.name))
      .map((f) => onQueue(f, workQueue)),
    env: {
      AzureWebJobsStorage: process.env.TEST_AZURITE_CONNECTION!,
      TIMER_SCHEDULE: '0 0 0 1 1 *',
      // The calendar pipeline's figures and budgets; mail has its own suite.
      SYNC_KINDS: 'calendar',
      ...mailEnv,
      ...options.env,
    },
    queuePolling: { minIntervalMs: 20, maxIntervalMs: 100 },
    log: () => undefined,
  });
  dingtalk.control.setCallbackTarget({
    url: `${host.url}/api/dingtalk/events`,
    token: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
    aesKey: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
  });
  const app = createTestApp({
    queueName: workQueue,
    env: {
      PUBLIC_BASE_URL: host.url,
      GRAPH_AUTHORITY_HOST: graph.url,
      GRAPH_BASE_URL: graph.url,
      DINGTALK_API_BASE: dingtalk.url,
      DINGTALK_OAPI_BASE: dingtalk.url,
      ...mailEnv,
      ...options.env,
    },
  });
  const services = createServices(app);
  setServices(services);

  const people = [
    { name: 'Zhang Wei', userid: 'zhangwei', email: 'zhang.wei@contoso.com' },
    { name: 'Alice Chen', userid: 'alicechen', email: 'alice.chen@contoso.com' },
    { name: 'Bob Li', userid: 'bobli', email: 'bob.li@contoso.com' },
  ].map((p) => {
    const entra = graph.control.addUser({ displayName: p.name, userPrincipalName: p.email, mail: p.email });
    const dt = dingtalk.control.addUser({ name: p.name, userid: p.userid, org_email: p.email });
    return { name: p.name, email: p.email, entraId: entra.id, unionId: dt.unionid, userid: p.userid };
  });
  if (mail) await mail.provision(people.map((p) => p.email));

  // Read through the app's own storage, so only a pipeline with a polled kind pays for it (the table budget test
  // counts every table operation of a calendar-only pipeline).
  const kinds = (options.env?.SYNC_KINDS ?? mailEnv.SYNC_KINDS ?? 'calendar').split(',') as Kind[];
  const anyPolled = kinds.some((kind) => isPolled(kind, 'dingtalk') || isPolled(kind, 'outlook'));
  const pollChains = async () => {
    if (!anyPolled) return 0;
    const pairs = await app.stores.users.list();
    const polled = pairs.flatMap((pair) =>
      pair.enabledKinds.flatMap((kind) =>
        (['dingtalk', 'outlook'] as const)
          .filter((side) => isPolled(kind, side))
          .map((side) => ({ pair, kind, side })),
      ),
    );
    const states = await Promise.all(
      polled.map(async ({ pair, kind, side }) => ({
        side,
        loaded: await app.stores.pairState.load(pair.pairId, kind),
      })),
    );
    return states.filter(({ side, loaded }) => loaded.state.sides[side].polledAt !== undefined).length;
  };
  // Each polled mailbox keeps one delayed message in the queue (its poll chain): that one is not pending work.
  const queueDepth = async () => {
    const queue = await app.storage.queue(workQueue);
    const depth = (await queue.getProperties()).approximateMessagesCount ?? 0;
    return depth - (await pollChains());
  };

  const quiet = async (options: { timer?: boolean; withinMs?: number } = {}) => {
    // Hints are queue messages, deleted only when the worker has finished with them: an empty queue (visible or
    // not) with nothing left to deliver is quiet.
    let calm = 0;
    let timerRan = false;
    const withinMs = options.withinMs ?? 30_000;
    const deadline = Date.now() + withinMs;
    while (calm < 4) {
      if (Date.now() > deadline) {
        throw new Error(
          `the pipeline did not settle within ${withinMs / 1000} s: ${await queueDepth()} queued`,
        );
      }
      await graph.control.notificationsIdle();
      await dingtalk.control.callbacksSettled();
      const depth = await queueDepth();
      if (options.timer && !timerRan && depth === 0) {
        timerRan = true;
        await host.invoke('maintenance');
        calm = 0;
        continue;
      }
      // A request still being answered (a callback its sender gave up on, say) may yet enqueue a hint.
      calm = depth > 0 || host.running() > 0 ? 0 : calm + 1;
      await new Promise((resolve) => setTimeout(resolve, 75));
    }
  };

  const unfinished = async (): Promise<string[]> => {
    const missing: string[] = [];
    for (const person of people) {
      const pair = await app.stores.users.get(person.entraId);
      if (pair?.status !== 'active') {
        missing.push(`${person.email}: ${pair ? pair.status : 'not paired'}`);
        continue;
      }
      for (const kind of pair.enabledKinds) {
        const { state } = await app.stores.pairState.load(pair.pairId, kind);
        for (const side of ['dingtalk', 'outlook'] as const) {
          if (state.sides[side].lastSyncedAt === undefined) missing.push(`${person.email}: ${kind} ${side}`);
        }
      }
    }
    return missing;
  };
  const onboard = async () => {
    const deadline = Date.now() + 45_000;
    for (;;) {
      await host.invoke('maintenance');
      await quiet();
      const missing = await unfinished();
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`first syncs not finished within 45 s: ${missing.join('; ')}`);
    }
  };

  const writes = () => ({
    graph:
      graph.control.countRequests('POST', /\/events$/) +
      graph.control.countRequests('PATCH', /\/events\//) +
      graph.control.countRequests('DELETE', /\/events\//),
    dingtalk: dingtalk.control
      .exchanges()
      .filter((x) => x.family === 'v1' && x.method !== 'GET' && x.path.includes('/calendar/')).length,
  });

  return {
    app,
    services,
    host,
    graph,
    dingtalk,
    people,
    mail,
    quiet,
    onboard,
    writes,
    stop: async () => {
      await host.stop();
      await services.close();
      await graph.stop();
      await dingtalk.stop();
      await mail?.server.stop();
      await mail?.vault.stop();
      setServices(undefined);
    },
  };
}

/** The function with its queue trigger (if any) bound to another queue. */
function onQueue(fn: RegisteredFunction, queueName: string): RegisteredFunction {
  const bindings = Object.fromEntries(
    Object.entries(fn.bindings).map(([name, binding]) => [
      name,
      binding.type === 'queueTrigger' ? { ...binding, queueName } : binding,
    ]),
  );
  return { ...fn, bindings };
}

/** The sandbox mail server and a Key Vault; `provision` gives each address a mailbox and its app password. */
async function startMailSandbox() {
  const server = await startFakeMailServer({});
  const vault = await startFakeKeyVault();
  const passwords: Record<string, string> = {};
  const provision = async (emails: string[]) => {
    const secrets = createAppPasswordVault(appPasswordVaultAccess(vault.url, 'sandbox', undefined));
    for (const email of emails) {
      passwords[email] = `app-${randomBytes(6).toString('hex')}`;
      server.control.addMailbox(email, passwords[email]);
      await secrets.write(email, passwords[email]);
    }
  };
  return { server, vault, passwords, provision };
}
