import type { QueueClient } from '@azure/storage-queue';
import type { Storage } from '../../shared/platform/storage';

/** One message the app put on a queue, read back as the work it asks for. */
export interface SentWork {
  queue: string;
  pairId: string;
  kind: string;
  side: string;
  folder: string;
  reason: string;
  /** When the send started and how long it took (performance.now() ms): the time a run spends queueing. */
  sendStartMs: number;
  sendMs: number;
  /** When the message becomes visible on the app's clock (a message sent with a delay is invisible until then). */
  visibleAt: number;
  /** The message as sent, for handing to the worker. */
  body: Record<string, unknown>;
}

export interface QueueTap {
  /** Messages sent since the last take, oldest first; taking empties the list. */
  take(): SentWork[];
  /** Removes every message from every queue the app has used, so the emulator does not accumulate them. */
  clear(): Promise<void>;
}

/** Work messages are base64 of JSON (the queue trigger's default encoding); plain JSON is read too. */
function decode(text: string): Record<string, unknown> {
  for (const candidate of [Buffer.from(text, 'base64').toString('utf8'), text]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value && typeof value === 'object') return value as Record<string, unknown>;
    } catch {
      // not this encoding
    }
  }
  return {};
}

const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === 'string' ? body[name] : '';

/**
 * Records every message the app sends through its Storage's queue clients, whatever the queue, by wrapping each
 * client's sendMessage. The messages still reach the queue: sending them is part of what a run costs.
 */
export function tapQueues(storage: Storage, now: () => number): QueueTap {
  const sent: SentWork[] = [];
  const clients = new Map<string, QueueClient>();
  const queue = storage.queue.bind(storage);
  storage.queue = async (name) => {
    const client = await queue(name);
    if (!clients.has(name)) {
      clients.set(name, client);
      const send = client.sendMessage.bind(client);
      client.sendMessage = async (text, options) => {
        const body = decode(text);
        const record: SentWork = {
          queue: name,
          pairId: field(body, 'pairId'),
          kind: field(body, 'kind'),
          side: field(body, 'side'),
          folder: field(body, 'folder'),
          reason: field(body, 'reason'),
          visibleAt: now() + (options?.visibilityTimeout ?? 0) * 1000,
          sendStartMs: performance.now(),
          sendMs: 0,
          body,
        };
        sent.push(record);
        try {
          return await send(text, options);
        } finally {
          record.sendMs = performance.now() - record.sendStartMs;
        }
      };
    }
    return client;
  };
  return {
    take: () => sent.splice(0),
    async clear() {
      for (const client of clients.values()) await client.clearMessages();
    },
  };
}
