/**
 * `npm start`: the whole product on embedded defaults. Azurite, the sandbox Graph (HTTPS) and DingTalk with a demo
 * organisation, the local Functions host with the real function app, then a short demo of events crossing both ways.
 * Ctrl-C stops everything, at any moment: once, each part is stopped within a bound and the script exits; twice,
 * every child process is killed and it exits at once. Nothing here is needed in Azure.
 */
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../sandbox/host';
import { startAzurite, type AzuriteHandle } from '../sandbox/azurite';
import { startFakeGraph, type FakeGraph } from '../sandbox/graph/fake-graph';
import { startFakeDingTalk, type FakeDingTalk } from '../sandbox/dingtalk';
import { startFakeKeyVault } from '../sandbox/keyvault/fake-key-vault';
import { startFakeMailServer } from '../sandbox/mail';
import { SANDBOX_DEFAULTS } from '../shared/platform/config';
import { assertPortsFree, demoPorts } from './start/ports';
import { seedDemoOrganisation } from './start/demo-org';
import { runDemo } from './start/demo';
import { runMailDemo } from './start/demo-mail';
import { runTodoContactsDemo } from './start/demo-todo-contacts';
import { seedDemoMailboxes } from './start/demo-mailboxes';
import { say } from './start/say';
import { StopList } from './start/stop-list';
import { statusPageHint } from './start/status-page';

const appRoot = path.join(__dirname, '..', '..');

/** The bounds of a Ctrl-C: each part's stop, all of them together, and the host's wait for running functions. */
const STOP_PART_MS = 5000;
const STOP_TOTAL_MS = 10_000;
const HOST_DRAIN_MS = 3000;
/** The demo polls DingTalk mailboxes at the shortest interval the settings allow, so mail crosses quickly. */
const DEMO_MAIL_POLL_SECONDS = 15;
/** To-dos and contacts are polled on both sides; the demo uses the shortest intervals the settings allow. */
const DEMO_TODO_POLL_SECONDS = 30;
const DEMO_CONTACT_POLL_SECONDS = 60;
/**
 * A paid edition's monthly quota of metered DingTalk calls, so that the governor lets the to-do polls run at the
 * demo's pace (on the standard edition's 5,000 it would space them hours apart: docs/todo-mapping.md).
 */
const DEMO_DINGTALK_MONTHLY_CALLS = 1_000_000;
/**
 * One Ctrl-C can arrive twice: the terminal signals the whole process group, and the wrapper that trusts the
 * sandbox certificate forwards its own copy. A repeat this soon after the first is that copy, not a second press.
 */
const SAME_PRESS_MS = 500;

async function main(): Promise<void> {
  const stops = new StopList({ perPartMs: STOP_PART_MS, totalMs: STOP_TOTAL_MS, say });
  // Aborted on the first Ctrl-C: a start under way and the demo stop at their next step instead of going on.
  const interrupted = new AbortController();
  let firstSignalAt: number | undefined;
  const stopAll = async (code: number) => {
    if (interrupted.signal.aborted) return;
    interrupted.abort(new Error('stopping'));
    say(`stopping… (within ${STOP_TOTAL_MS / 1000} s; Ctrl-C again to kill at once)`);
    await stops.stopAll();
    say('stopped; no process left behind.');
    process.exit(code);
  };
  const onSignal = () => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      void stopAll(0);
    } else if (now - firstSignalAt > SAME_PRESS_MS) {
      stops.killAll();
      say('stopped at once; child processes killed.');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Whatever the way out (an uncaught error included), no child process outlives this one.
  process.on('exit', () => stops.killAll());

  const signal = interrupted.signal;
  try {
    const ports = demoPorts();
    await assertPortsFree(Object.values(ports));
    const azurite: AzuriteHandle = await startAzurite({
      ports: { blob: ports.blob, queue: ports.queue, table: ports.table },
      signal,
    });
    stops.add({ name: 'Azurite', stop: () => azurite.stop(), kill: () => azurite.kill() });
    signal.throwIfAborted();
    say(`Azurite (tables, queues) on 127.0.0.1:${ports.table} and :${ports.queue}`);

    const hostUrl = `http://127.0.0.1:${ports.functions}`;
    const graph: FakeGraph = await startFakeGraph({
      port: ports.graph,
      tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!],
    });
    stops.add({ name: 'the sandbox Graph', stop: () => graph.stop() });
    signal.throwIfAborted();
    say(`sandbox Microsoft Graph + identity on ${graph.url}`);

    const dingtalk: FakeDingTalk = await startFakeDingTalk({
      port: ports.dingtalk,
      appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
      appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
      corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
    });
    stops.add({ name: 'the sandbox DingTalk', stop: () => dingtalk.stop() });
    signal.throwIfAborted();
    say(`sandbox DingTalk on ${dingtalk.url}`);

    const mail = await startFakeMailServer({ port: ports.mail });
    stops.add({ name: 'the sandbox DingTalk Mail server', stop: () => mail.stop() });
    const vault = await startFakeKeyVault({ port: ports.keyVault });
    stops.add({ name: 'the sandbox Key Vault', stop: () => vault.stop() });
    signal.throwIfAborted();

    const people = seedDemoOrganisation(graph, dingtalk);
    say(`demo organisation: ${people.map((p) => p.name).join(', ')} (on both sides, same e-mail)`);
    const logins = await seedDemoMailboxes(mail, vault, people);
    say(
      `sandbox DingTalk Mail (IMAP over TLS) on ${mail.host}:${mail.port}; a mail program can log in as ` +
        `${logins[0].email} with the app password ${logins[0].password} (docs/sandbox.md lists all)`,
    );
    say(`sandbox Key Vault (the mailboxes' app passwords) on ${vault.url}`);

    const host: LocalHost = await startLocalHost({
      appRoot,
      port: ports.functions,
      shutdownTimeoutMs: HOST_DRAIN_MS,
      env: {
        SYNC_MODE: 'sandbox',
        AzureWebJobsStorage: azurite.connectionString,
        TIMER_SCHEDULE: '*/15 * * * * *',
        OUTLOOK_SWEEP_MINUTES: '5',
        DINGTALK_SWEEP_HOURS: '1',
        PUBLIC_BASE_URL: hostUrl,
        GRAPH_AUTHORITY_HOST: graph.url,
        GRAPH_BASE_URL: graph.url,
        DINGTALK_API_BASE: dingtalk.url,
        DINGTALK_OAPI_BASE: dingtalk.url,
        KEY_VAULT_URL: vault.url,
        MAIL_IMAP_HOST: mail.host,
        MAIL_IMAP_PORT: String(mail.port),
        MAIL_POLL_SECONDS: String(DEMO_MAIL_POLL_SECONDS),
        SYNC_KINDS: 'calendar,mail,todo,contact',
        TODO_POLL_SECONDS: String(DEMO_TODO_POLL_SECONDS),
        CONTACT_POLL_SECONDS: String(DEMO_CONTACT_POLL_SECONDS),
        DINGTALK_MONTHLY_CALL_QUOTA: String(DEMO_DINGTALK_MONTHLY_CALLS),
      },
    });
    stops.add({ name: 'the functions host', stop: () => host.stop() });
    signal.throwIfAborted();
    say(`functions host on ${host.url}: ${host.functions.map((f) => f.name).join(', ')}`);
    say(`health: ${host.url}/api/health`);
    say(statusPageHint(host.url, process.env));

    // As a DingTalk admin would: the callback URL is saved in the console once the app answers it, so seeding the
    // demo organisation before the host started sent no event into the void (DingTalk lists such failed deliveries).
    dingtalk.control.setCallbackTarget({
      url: `${hostUrl}/api/dingtalk/events`,
      token: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
      aesKey: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
    });
    const registration = await dingtalk.control.registerCallback();
    say(
      `DingTalk callback registration (check_url): ${registration.ok ? 'answered correctly' : `FAILED: ${registration.reason}`} in ${registration.elapsedMs} ms`,
    );

    await runDemo({ host, graph, dingtalk, people, signal });
    await runMailDemo({ graph, mail, people, pollSeconds: DEMO_MAIL_POLL_SECONDS, signal });
    await runTodoContactsDemo({
      graph,
      dingtalk,
      people,
      todoPollSeconds: DEMO_TODO_POLL_SECONDS,
      contactPollSeconds: DEMO_CONTACT_POLL_SECONDS,
      signal,
    });
    say('demo complete: no duplicates, no echoes; every write is in the audit table.');
    say(statusPageHint(host.url, process.env));
    say(
      'the product keeps running: change events and mail through the sandbox control APIs or a mail program ' +
        '(docs/sandbox.md), Ctrl-C to stop.',
    );
  } catch (err) {
    // After Ctrl-C the start or the demo stops where it was; the stop already under way ends the script.
    if (signal.aborted) return;
    console.error(err instanceof Error ? err.message : err);
    await stopAll(1);
  }
}

void main();
