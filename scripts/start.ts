/**
 * `npm start`: the whole product on embedded defaults. Azurite, the sandbox Graph (HTTPS) and DingTalk with a demo
 * organisation, the local Functions host with the real function app, then a short demo of events crossing both ways.
 * Ctrl-C stops everything. Nothing here is needed in Azure.
 */
import path from 'node:path';
import { startLocalHost, type LocalHost } from '../sandbox/host';
import { startAzurite, type AzuriteHandle } from '../sandbox/azurite';
import { startFakeGraph, type FakeGraph } from '../sandbox/graph/fake-graph';
import { startFakeDingTalk, type FakeDingTalk } from '../sandbox/dingtalk';
import { SANDBOX_DEFAULTS } from '../shared/platform/config';
import { assertPortsFree, DEMO_PORTS } from './start/ports';
import { seedDemoOrganisation } from './start/demo-org';
import { runDemo } from './start/demo';
import { say } from './start/say';

const appRoot = path.join(__dirname, '..', '..');

async function main(): Promise<void> {
  await assertPortsFree(Object.values(DEMO_PORTS));
  const stoppers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    say('stopped; no process left behind.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const azurite: AzuriteHandle = await startAzurite({
      ports: { blob: DEMO_PORTS.blob, queue: DEMO_PORTS.queue, table: DEMO_PORTS.table },
    });
    stoppers.push(() => azurite.stop());
    say(`Azurite (tables, queues) on 127.0.0.1:${DEMO_PORTS.table} and :${DEMO_PORTS.queue}`);

    const hostUrl = `http://127.0.0.1:${DEMO_PORTS.functions}`;
    const graph: FakeGraph = await startFakeGraph({
      port: DEMO_PORTS.graph,
      tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!],
    });
    stoppers.push(() => graph.stop());
    say(`sandbox Microsoft Graph + identity on ${graph.url}`);

    const dingtalk: FakeDingTalk = await startFakeDingTalk({
      port: DEMO_PORTS.dingtalk,
      appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
      appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
      corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
      callback: {
        url: `${hostUrl}/api/dingtalk/events`,
        token: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_TOKEN!,
        aesKey: SANDBOX_DEFAULTS.DINGTALK_CALLBACK_AES_KEY!,
      },
    });
    stoppers.push(() => dingtalk.stop());
    say(`sandbox DingTalk on ${dingtalk.url}`);

    const people = seedDemoOrganisation(graph, dingtalk);
    say(`demo organisation: ${people.map((p) => p.name).join(', ')} (on both sides, same e-mail)`);

    const host: LocalHost = await startLocalHost({
      appRoot,
      port: DEMO_PORTS.functions,
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
      },
    });
    stoppers.push(() => host.stop());
    say(`functions host on ${host.url}: ${host.functions.map((f) => f.name).join(', ')}`);
    say(`health: ${host.url}/api/health`);

    const registration = await dingtalk.control.registerCallback();
    say(
      `DingTalk callback registration (check_url): ${registration.ok ? 'answered correctly' : `FAILED: ${registration.reason}`} in ${registration.elapsedMs} ms`,
    );

    await runDemo({ host, graph, dingtalk, people });
    say(
      'the product keeps running: edit events through the sandbox control APIs (docs/sandbox.md), Ctrl-C to stop.',
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stopAll(1);
  }
}

void main();
