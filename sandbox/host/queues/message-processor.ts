/**
 * One received message through the runtime's QueueProcessor steps: a message already past maxDequeueCount, or
 * one that cannot be decoded, goes straight to the poison queue; otherwise the function runs while the message's
 * invisibility is renewed; then success deletes it, and failure either makes it visible again after
 * `visibilityTimeout` or, on the last allowed attempt, moves it to `<queue>-poison`. Without a poison queue a
 * failed message is left invisible, so it does not spin.
 */
import type { QueueClient, ReceivedMessageItem } from '@azure/storage-queue';
import type { QueuesOptions } from '../host-config';
import type { HostLog } from '../log';
import { decodeMessageText, triggerInputOf, triggerMetadataOf } from './queue-message';

export interface MessageProcessorOptions {
  functionName: string;
  queue: QueueClient;
  poisonQueue: QueueClient | undefined;
  queues: QueuesOptions;
  /** How long a message stays invisible while it is being processed; renewed at half time. */
  processingVisibilityMs: number;
  invoke(input: unknown, triggerMetadata: Record<string, unknown>): Promise<unknown>;
  log: HostLog;
}

export class MessageProcessor {
  constructor(private readonly options: MessageProcessorOptions) {}

  async process(item: ReceivedMessageItem): Promise<void> {
    const { queues, log, functionName } = this.options;
    if (item.dequeueCount > queues.maxDequeueCount) return this.#moveToPoison(item, item.popReceipt);
    const text = decodeMessageText(item.messageText, queues.messageEncoding);
    if (text === undefined) {
      log.warn(`Message decoding has failed! Check MessageEncoding settings. MessageId=${item.messageId}.`);
      return this.#moveToPoison(item, item.popReceipt);
    }
    const lease = this.#holdInvisible(item);
    let succeeded = false;
    try {
      await this.options.invoke(triggerInputOf(text), triggerMetadataOf(item, text, functionName));
      succeeded = true;
    } catch {
      // The invoker has logged the failure; what happens to the message is decided below.
    }
    const popReceipt = await lease.release();
    if (succeeded) return this.#delete(item, popReceipt);
    if (!this.options.poisonQueue) return;
    if (item.dequeueCount >= queues.maxDequeueCount) return this.#moveToPoison(item, popReceipt);
    await this.#settle(item, 'release', () =>
      this.options.queue.updateMessage(
        item.messageId,
        popReceipt,
        undefined,
        Math.ceil(queues.visibilityTimeoutMs / 1000),
      ),
    );
  }

  #holdInvisible(item: ReceivedMessageItem): { release(): Promise<string> } {
    const seconds = Math.max(1, Math.ceil(this.options.processingVisibilityMs / 1000));
    let popReceipt = item.popReceipt;
    let renewing: Promise<void> | undefined;
    const renew = async () => {
      try {
        const updated = await this.options.queue.updateMessage(
          item.messageId,
          popReceipt,
          undefined,
          seconds,
        );
        if (updated.popReceipt) popReceipt = updated.popReceipt;
      } catch (error) {
        this.options.log.warn(
          `Could not renew the invisibility of message '${item.messageId}': ${(error as Error).message}`,
        );
      }
    };
    const timer = setInterval(
      () => {
        renewing = renew();
      },
      (seconds * 1000) / 2,
    );
    return {
      release: async () => {
        clearInterval(timer);
        await renewing;
        return popReceipt;
      },
    };
  }

  async #moveToPoison(item: ReceivedMessageItem, popReceipt: string): Promise<void> {
    const poison = this.options.poisonQueue;
    if (!poison) return;
    this.options.log.warn(
      `Message has reached MaxDequeueCount of ${this.options.queues.maxDequeueCount}. Moving message to queue '${poison.name}'.`,
    );
    try {
      await poison.createIfNotExists();
      // The raw text is copied, so the poison message reads exactly as the original did.
      await poison.sendMessage(item.messageText);
    } catch (error) {
      // Deleting now would lose the message; it becomes visible again and is retried.
      this.options.log.warn(
        `Could not move message '${item.messageId}' to '${poison.name}': ${(error as Error).message}`,
      );
      return;
    }
    await this.#delete(item, popReceipt);
  }

  #delete(item: ReceivedMessageItem, popReceipt: string): Promise<void> {
    return this.#settle(item, 'delete', () => this.options.queue.deleteMessage(item.messageId, popReceipt));
  }

  /** As the runtime does, a message or queue that is gone, or a pop receipt someone else took over, is fine. */
  async #settle(item: ReceivedMessageItem, action: string, operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      const { statusCode, code } = error as { statusCode?: number; code?: string };
      if (statusCode === 404 || code === 'PopReceiptMismatch') {
        this.options.log.debug(`Could not ${action} message '${item.messageId}': ${code ?? statusCode}.`);
        return;
      }
      this.options.log.warn(`Could not ${action} message '${item.messageId}': ${(error as Error).message}`);
    }
  }
}
