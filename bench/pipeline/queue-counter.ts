import type { QueueClient } from '@azure/storage-queue';
import type { Storage } from '../../shared/platform/storage';

export interface QueueSends {
  /** Messages sent so far. */
  count(): number;
  /** How long each message sent after the first `from` took, from the call until the queue said stored. */
  since(from: number): number[];
}

/**
 * Counts the messages the app sends to its queues (hints, poll successors, work sent back), and times each, by
 * wrapping the queue clients its Storage hands out. The host's own receives and deletes are not the app's and are
 * not counted.
 */
export function countQueueMessages(storage: Storage): { sent(): number; sends: QueueSends } {
  const durations: number[] = [];
  let sent = 0;
  const queue = storage.queue.bind(storage);
  storage.queue = async (name) => {
    const client = await queue(name);
    return new Proxy(client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'sendMessage' || typeof value !== 'function') return value;
        return async (...args: Parameters<QueueClient['sendMessage']>) => {
          const index = sent++;
          const startedAt = performance.now();
          const answer = await (value as QueueClient['sendMessage']).apply(target, args);
          durations[index] = performance.now() - startedAt;
          return answer;
        };
      },
    });
  };
  return {
    sent: () => sent,
    sends: {
      count: () => sent,
      since: (from) => durations.slice(from).filter((ms) => ms !== undefined),
    },
  };
}
