/**
 * The fake Graph and fake DingTalk (and, once asked, the sandbox mail server and Key Vault) in a process of their
 * own, so the bench can tell their CPU time from the app's.
 * Started by fakes-client.ts with an IPC channel (structured clone): it answers `{ready, graphUrl, dingtalkUrl}`,
 * then one reply per request `{id, op, args}`, until the channel closes.
 */
import { startFakeDingTalk } from '../../sandbox/dingtalk';
import { startFakeGraph } from '../../sandbox/graph/fake-graph';
import { SANDBOX_DEFAULTS } from '../../shared/platform/config';
import { DINGTALK_CALLS_PER_SECOND_PER_API } from './dingtalk-limits';
import { createFakeOperations, type FakeOperations } from './fake-operations';

export interface FakesRequest {
  id: number;
  op: keyof FakeOperations | 'queryCpuMs';
  args: unknown[];
}

export type FakesReply = { id: number; value: unknown } | { id: number; error: string };

export interface FakesReady {
  ready: true;
  graphUrl: string;
  dingtalkUrl: string;
}

async function main(): Promise<void> {
  const graph = await startFakeGraph({
    tenantAliases: [SANDBOX_DEFAULTS.GRAPH_TENANT_ID!],
    maxCapturedRequests: 100_000,
  });
  const dingtalk = await startFakeDingTalk({
    appKey: SANDBOX_DEFAULTS.DINGTALK_APP_KEY!,
    appSecret: SANDBOX_DEFAULTS.DINGTALK_APP_SECRET!,
    corpId: SANDBOX_DEFAULTS.DINGTALK_CORP_ID!,
    qpsLimit: DINGTALK_CALLS_PER_SECOND_PER_API,
  });
  const operations = createFakeOperations(graph, dingtalk);
  // The bench's own reads and drives cost this process CPU too; counted apart so the fakes' share can leave them out.
  let queryCpuMicros = 0;

  process.on('message', (message: FakesRequest) => {
    const reply = (answer: Omit<FakesReply, 'id'>) => process.send!({ id: message.id, ...answer });
    if (message.op === 'queryCpuMs') return reply({ value: queryCpuMicros / 1000 });
    const cpuBefore = process.cpuUsage();
    try {
      const operation = operations[message.op] as (...args: unknown[]) => unknown;
      const result = operation(...message.args);
      Promise.resolve(result).then(
        (value) => reply({ value }),
        (error: unknown) => reply({ error: String(error) }),
      );
    } catch (error) {
      reply({ error: String(error) });
    } finally {
      // The synchronous part only: an asynchronous wait (settle) is the fakes' own work finishing.
      const spent = process.cpuUsage(cpuBefore);
      queryCpuMicros += spent.user + spent.system;
    }
  });
  process.on('disconnect', () => {
    void Promise.all([graph.stop(), dingtalk.stop(), operations.stopMail()]).finally(() => process.exit(0));
  });
  const ready: FakesReady = { ready: true, graphUrl: graph.url, dingtalkUrl: dingtalk.url };
  process.send!(ready);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[fakes] failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
  );
  process.exit(1);
});
