import type { Storage } from '../platform/storage';
import type { WorkQueue } from './repositories';
import type { WorkItem } from './types';
import { InvalidWorkItemError, parseWorkItem } from './work-item';

/** The queue the sync-worker function triggers on. */
export const SYNC_WORK_QUEUE = 'sync-work';

/** The service's limit for one message, as sent (after base64). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Messages are base64 of the JSON: the Functions queue trigger decodes base64 by default (host.json
 * extensions.queues.messageEncoding), and the storage SDK v12 sends text as given.
 */
export function encodeWorkMessage(work: WorkItem): string {
  return assertMessageFits(Buffer.from(JSON.stringify(parseWorkItem(work)), 'utf8').toString('base64'));
}

/** The field limits keep a WorkItem far below this; the guard is for fields added later. */
export function assertMessageFits(text: string): string {
  if (text.length > MAX_MESSAGE_BYTES) {
    throw new InvalidWorkItemError(
      `work message is ${text.length} bytes; the queue limit is ${MAX_MESSAGE_BYTES}`,
    );
  }
  return text;
}

/** Reads a raw queue message text (base64 JSON), as a poller outside the Functions host receives it. */
export function decodeWorkMessage(messageText: string): WorkItem {
  const json = Buffer.from(messageText, 'base64').toString('utf8');
  // Buffer ignores characters outside the alphabet; re-encoding tells real base64 from text that only looks so.
  if (
    Buffer.from(json, 'utf8').toString('base64').replace(/=+$/, '') !== messageText.trim().replace(/=+$/, '')
  ) {
    throw new InvalidWorkItemError('work message is not base64');
  }
  return parseWorkItem(json);
}

/** Operations: enqueue 1 queue call (the queue is created once per process). */
export class StorageWorkQueue implements WorkQueue {
  constructor(
    private readonly storage: Storage,
    private readonly queueName: string = SYNC_WORK_QUEUE,
  ) {}

  async enqueue(work: WorkItem, options: { delaySeconds?: number } = {}): Promise<void> {
    const message = encodeWorkMessage(work);
    const queue = await this.storage.queue(this.queueName);
    await queue.sendMessage(message, options.delaySeconds ? { visibilityTimeout: options.delaySeconds } : {});
  }
}
