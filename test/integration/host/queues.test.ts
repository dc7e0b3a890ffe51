import { QueueClient } from '@azure/storage-queue';
import { startLocalHost, type LocalHost } from '../../../sandbox/host';
import { collectLogs, FIXTURE_APP, uniqueName, waitFor, type LogCollector } from './support';

const connection = process.env.TEST_AZURITE_CONNECTION!;
const workQueue = uniqueName('work');
const plainQueue = uniqueName('plain');
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

let host: LocalHost;
let logs: LogCollector;
let work: QueueClient;
let poison: QueueClient;

interface MessageEvent {
  message: { tag: string };
  metadata: Record<string, unknown>;
  invocationId: string;
  at: number;
}

const eventsFor = (tag: string) =>
  (logs.events('work') as unknown as MessageEvent[]).filter((e) => e.message?.tag === tag);

/** Counts invisible (in-process) messages too, unlike a peek. */
async function queueLength(queue: QueueClient): Promise<number> {
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

async function peekAll(queue: QueueClient): Promise<string[]> {
  if (!(await queue.exists())) return [];
  return (await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText);
}

beforeAll(async () => {
  logs = collectLogs();
  work = new QueueClient(connection, workQueue);
  poison = new QueueClient(connection, `${workQueue}-poison`);
  host = await startLocalHost({
    appRoot: FIXTURE_APP,
    port: 0,
    timers: false,
    log: logs.sink,
    env: {
      FixtureStorage: connection,
      AzureWebJobsStorage: connection,
      FIXTURE_QUEUE: workQueue,
      FIXTURE_PLAIN_QUEUE: plainQueue,
    },
    // Short enough that a 3 s handler needs its message's invisibility renewed.
    queuePolling: { processingVisibilityMs: 2000 },
  });
  await waitFor(() => work.exists(), 10000, 'the host to create the queue');
});

afterAll(async () => {
  await host?.stop();
});

test('a base64 JSON message reaches the function as an object, with the queue trigger metadata, and is deleted', async () => {
  const text = base64(JSON.stringify({ tag: 'hello' }));
  const sent = await work.sendMessage(text);
  const [event] = await waitFor(() => eventsFor('hello').length > 0 && eventsFor('hello'));
  expect(event.message).toEqual({ tag: 'hello' });
  expect(event.metadata).toMatchObject({
    id: sent.messageId,
    dequeueCount: 1,
    queueTrigger: '{"tag":"hello"}',
    insertionTime: sent.insertedOn.toISOString(),
    expirationTime: sent.expiresOn.toISOString(),
    sys: { methodName: 'work' },
  });
  expect(typeof event.metadata.popReceipt).toBe('string');
  expect(typeof event.metadata.nextVisibleTime).toBe('string');
  await waitFor(async () => (await queueLength(work)) === 0, 5000, 'the delete');
});

test('a failing message is retried with a rising dequeueCount, then moved to <queue>-poison after 5 attempts', async () => {
  const text = base64(JSON.stringify({ tag: 'doomed', fail: true }));
  await work.sendMessage(text);
  await waitFor(async () => (await peekAll(poison)).includes(text), 20000, 'the poison message');
  expect(eventsFor('doomed').map((e) => e.metadata.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
  await waitFor(async () => (await queueLength(work)) === 0, 5000, 'the original to be deleted');
  expect(logs.entries.some((e) => e.message.includes(`Moving message to queue '${workQueue}-poison'`))).toBe(
    true,
  );
});

test('a message that is not valid base64 goes straight to the poison queue without an invocation', async () => {
  const text = 'this is {not base64}';
  await work.sendMessage(text);
  await waitFor(
    async () => (await peekAll(poison)).includes(text),
    10000,
    'the undecodable message in poison',
  );
  expect(logs.entries.some((e) => e.message.startsWith('Message decoding has failed!'))).toBe(true);
  expect(logs.events('work').some((e) => JSON.stringify(e).includes('not base64'))).toBe(false);
});

test('a handler that outlasts the processing invisibility keeps its message: it runs once', async () => {
  const text = base64(JSON.stringify({ tag: 'slow', sleepMs: 3000 }));
  await work.sendMessage(text);
  await waitFor(() => eventsFor('slow').length > 0, 10000, 'the slow message');
  await new Promise((resolve) => setTimeout(resolve, 4000));
  expect(eventsFor('slow').map((e) => e.metadata.dequeueCount)).toEqual([1]);
  await waitFor(async () => (await queueLength(work)) === 0, 5000, 'the delete');
});

test('messages are processed in parallel, at most batchSize + newBatchThreshold at a time', async () => {
  const tags = Array.from({ length: 10 }, (_, i) => `parallel-${i}`);
  await Promise.all(tags.map((tag) => work.sendMessage(base64(JSON.stringify({ tag, sleepMs: 600 })))));
  await waitFor(() => tags.every((tag) => eventsFor(tag).length > 0), 15000, 'all parallel messages');
  const starts = tags.map((tag) => eventsFor(tag)[0].at).sort((a, b) => a - b);
  let peak = 0;
  for (const start of starts)
    peak = Math.max(peak, starts.filter((s) => s >= start && s < start + 600).length);
  // host.json of the fixture: batchSize 4, newBatchThreshold 2.
  expect(peak).toBeGreaterThanOrEqual(4);
  expect(peak).toBeLessThanOrEqual(6);
});

test('the default connection (AzureWebJobsStorage) and plain-text messages work too', async () => {
  const plain = new QueueClient(connection, plainQueue);
  await waitFor(() => plain.exists(), 10000, 'the plain queue');
  await plain.sendMessage(base64('just words'));
  const [event] = await waitFor(() => logs.events('plainWork').length > 0 && logs.events('plainWork'));
  expect(event).toMatchObject({ message: 'just words', type: 'string' });
});
