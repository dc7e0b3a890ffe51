/** Starts a QueueListener for each queue-triggered function; a bad binding puts only that function in error. */
import { QueueClient } from '@azure/storage-queue';
import { triggerBindingOf, triggerKindOf } from '../describe';
import type { RegisteredFunction } from '../functions-core';
import type { QueuesOptions } from '../host-config';
import type { FunctionInvoker } from '../invoker';
import type { HostLog } from '../log';
import { resolveSettingExpressions } from '../setting-expressions';
import { MessageProcessor } from './message-processor';
import { resolveStorageConnectionString } from './queue-connection';
import { QueueListener, type QueuePolling } from './queue-listener';
import { normalizeQueueName, poisonQueueNameOf } from './queue-message';

// Keep-alive sockets would outlive stop(); on localhost a fresh connection per poll costs next to nothing.
const CLIENT_OPTIONS = { keepAliveOptions: { enable: false } };

export function startQueueTriggers(
  functions: RegisteredFunction[],
  queues: QueuesOptions,
  polling: QueuePolling,
  invoker: FunctionInvoker,
  log: HostLog,
): QueueListener[] {
  const listeners: QueueListener[] = [];
  for (const fn of functions) {
    const trigger = triggerBindingOf(fn);
    if (triggerKindOf(trigger.type) !== 'queue') continue;
    try {
      const connection = resolveStorageConnectionString(
        typeof trigger.connection === 'string' ? trigger.connection : undefined,
      );
      const queueName = normalizeQueueName(resolveSettingExpressions(String(trigger.queueName ?? '')));
      const poisonName = poisonQueueNameOf(queueName);
      const queue = new QueueClient(connection, queueName, CLIENT_OPTIONS);
      const processor = new MessageProcessor({
        functionName: fn.name,
        queue,
        poisonQueue: poisonName ? new QueueClient(connection, poisonName, CLIENT_OPTIONS) : undefined,
        queues,
        processingVisibilityMs: polling.processingVisibilityMs,
        log,
        invoke: (input, triggerMetadata) =>
          invoker.invoke(fn, input, {
            reason: `New queue message detected on '${queueName}'.`,
            triggerMetadata,
          }),
      });
      const listener = new QueueListener({ functionName: fn.name, queue, queues, polling, processor, log });
      listener.start();
      listeners.push(listener);
    } catch (error) {
      log.error(
        `The function '${fn.name}' is in error and its queue is not polled: ${(error as Error).message}`,
      );
    }
  }
  return listeners;
}
