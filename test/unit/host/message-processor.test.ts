import type { QueueClient, ReceivedMessageItem } from '@azure/storage-queue';
import type { QueuesOptions } from '../../../sandbox/host/host-config';
import { createHostLog, type HostLogEntry } from '../../../sandbox/host/log';
import { MessageProcessor } from '../../../sandbox/host/queues/message-processor';

/** Records what the processor does to the queues; enough of QueueClient for it. */
function fakeQueue(name: string, failWith?: { statusCode?: number; code?: string }) {
  const calls: string[] = [];
  const client = {
    name,
    calls,
    deleteMessage: async (id: string, receipt: string) => {
      calls.push(`delete ${id} ${receipt}`);
      if (failWith) throw Object.assign(new Error('failed'), failWith);
    },
    updateMessage: async (id: string, receipt: string, _text: unknown, seconds: number) => {
      calls.push(`update ${id} ${receipt} ${seconds}s`);
      return { popReceipt: `${receipt}+` };
    },
    createIfNotExists: async () => calls.push('create'),
    sendMessage: async (text: string) => calls.push(`send ${text}`),
  };
  return client;
}

const queues: QueuesOptions = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 3,
  visibilityTimeoutMs: 5000,
  maxPollingIntervalMs: 1000,
  messageEncoding: 'base64',
};

function item(dequeueCount: number, text = Buffer.from('{"n":1}').toString('base64')): ReceivedMessageItem {
  const now = new Date();
  return {
    messageId: 'm',
    popReceipt: 'r',
    dequeueCount,
    messageText: text,
    insertedOn: now,
    expiresOn: now,
    nextVisibleOn: now,
  };
}

function setup(
  options: {
    fails?: boolean;
    poison?: boolean;
    sleepMs?: number;
    deleteFails?: { statusCode?: number; code?: string };
  } = {},
) {
  const queue = fakeQueue('work', options.deleteFails);
  const poison = options.poison === false ? undefined : fakeQueue('work-poison');
  const inputs: unknown[] = [];
  const logs: HostLogEntry[] = [];
  const processor = new MessageProcessor({
    functionName: 'work',
    queue: queue as unknown as QueueClient,
    poisonQueue: poison as unknown as QueueClient,
    queues,
    processingVisibilityMs: 1000,
    log: createHostLog((e) => logs.push(e)),
    invoke: async (input) => {
      inputs.push(input);
      if (options.sleepMs) await new Promise((r) => setTimeout(r, options.sleepMs));
      if (options.fails) throw new Error('nope');
    },
  });
  return { processor, queue, poison, inputs, logs };
}

test('success deletes the message', async () => {
  const { processor, queue, inputs } = setup();
  await processor.process(item(1));
  expect(inputs).toEqual([{ n: 1 }]);
  expect(queue.calls).toEqual(['delete m r']);
});

test('a failure before the last attempt makes the message visible again after visibilityTimeout', async () => {
  const { processor, queue, poison } = setup({ fails: true });
  await processor.process(item(2));
  expect(queue.calls).toEqual(['update m r 5s']);
  expect(poison!.calls).toEqual([]);
});

test('a failure on the last attempt moves the raw message to the poison queue, then deletes it', async () => {
  const { processor, queue, poison } = setup({ fails: true });
  const message = item(3);
  await processor.process(message);
  expect(poison!.calls).toEqual(['create', `send ${message.messageText}`]);
  expect(queue.calls).toEqual(['delete m r']);
});

test('a message already past maxDequeueCount goes to poison without an invocation', async () => {
  const { processor, poison, inputs } = setup();
  await processor.process(item(4));
  expect(inputs).toEqual([]);
  expect(poison!.calls).toHaveLength(2);
});

test('without a poison queue a failed message is left invisible (no update, no delete)', async () => {
  const { processor, queue } = setup({ fails: true, poison: false });
  await processor.process(item(3));
  expect(queue.calls).toEqual([]);
});

test('a long invocation renews the invisibility, and completion uses the newest pop receipt', async () => {
  const { processor, queue } = setup({ sleepMs: 1300 });
  await processor.process(item(1));
  expect(queue.calls).toEqual(['update m r 1s', 'update m r+ 1s', 'delete m r++']);
});

test('a message someone else took over (pop receipt mismatch) or deleted (404) is not an error', async () => {
  for (const deleteFails of [{ statusCode: 400, code: 'PopReceiptMismatch' }, { statusCode: 404 }]) {
    const { processor, logs } = setup({ deleteFails });
    await expect(processor.process(item(1))).resolves.toBeUndefined();
    expect(logs.filter((e) => e.level === 'warning')).toEqual([]);
  }
});

test('an undecodable body goes to poison and is logged as the runtime words it', async () => {
  const { processor, poison, inputs, logs } = setup();
  await processor.process(item(1, 'not base64!'));
  expect(inputs).toEqual([]);
  expect(poison!.calls).toEqual(['create', 'send not base64!']);
  expect(
    logs.some(
      (e) => e.message === 'Message decoding has failed! Check MessageEncoding settings. MessageId=m.',
    ),
  ).toBe(true);
});
