import type { QueueClient } from '@azure/storage-queue';
import type { Storage } from '../../shared/platform/storage';

/**
 * Counts the messages the app sends to its queues (hints, poll successors, work sent back), by wrapping the queue
 * clients its Storage hands out. The host's own receives and deletes are not the app's and are not counted.
 */
export function countQueueMessages(storage: Storage): { sent(): number } {
  let sent = 0;
  const queue = storage.queue.bind(storage);
  storage.queue = async (name) => {
    const client = await queue(name);
    return new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'sendMessage' || typeof value !== 'function') return value;
        return (...args: Parameters<QueueClient['sendMessage']>) => {
          sent += 1;
          return (value as QueueClient['sendMessage']).apply(target, args);
        };
      },
    });
  };
  return { sent: () => sent };
}
