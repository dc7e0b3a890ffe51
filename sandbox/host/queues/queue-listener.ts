/**
 * Polls one queue for one function, like the runtime's QueueListener: fetch up to batchSize messages, process
 * them in parallel, fetch again at once while messages keep coming, and only while no more than
 * newBatchThreshold are still in flight; when the queue is empty, back off exponentially (with jitter) from the
 * minimum to the maximum polling interval.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueClient, ReceivedMessageItem } from '@azure/storage-queue';
import type { QueuesOptions } from '../host-config';
import type { HostLog } from '../log';
import type { MessageProcessor } from './message-processor';

export interface QueuePolling {
  minIntervalMs: number;
  maxIntervalMs: number;
  processingVisibilityMs: number;
}

export interface QueueListenerOptions {
  functionName: string;
  queue: QueueClient;
  queues: QueuesOptions;
  polling: QueuePolling;
  processor: MessageProcessor;
  log: HostLog;
}

export class QueueListener {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #aborted = new Promise<void>((resolve) =>
    this.#abort.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  #loop: Promise<void> | undefined;

  constructor(private readonly options: QueueListenerOptions) {}

  start(): void {
    this.#loop = this.#run();
  }

  /** Stops fetching, then waits for the messages already taken (their functions and their delete/retry). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await Promise.all([...this.#inFlight]);
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  async #run(): Promise<void> {
    const { queue, queues, polling, log, functionName } = this.options;
    const signal = this.#abort.signal;
    let delay = polling.minIntervalMs;
    let ensured = false;
    while (!signal.aborted) {
      let received: ReceivedMessageItem[] = [];
      try {
        if (!ensured) {
          await queue.createIfNotExists({ abortSignal: signal });
          ensured = true;
        }
        const response = await queue.receiveMessages({
          numberOfMessages: queues.batchSize,
          visibilityTimeout: Math.max(1, Math.ceil(polling.processingVisibilityMs / 1000)),
          abortSignal: signal,
        });
        received = response.receivedMessageItems;
      } catch (error) {
        if (signal.aborted) break;
        log.warn(
          `Function '${functionName}': polling queue '${queue.name}' failed: ${(error as Error).message}`,
        );
      }
      for (const item of received) this.#track(item);
      try {
        if (received.length > 0) {
          delay = polling.minIntervalMs;
          while (this.#inFlight.size > queues.newBatchThreshold && !signal.aborted) {
            await Promise.race([Promise.race(this.#inFlight), this.#aborted]);
          }
        } else {
          await sleep(jitter(delay), undefined, { signal });
          delay = Math.min(delay * 2, polling.maxIntervalMs);
        }
      } catch {
        // Aborted while waiting: the loop condition ends it.
      }
    }
  }

  #track(item: ReceivedMessageItem): void {
    const done: Promise<void> = this.options.processor
      .process(item)
      .catch((error: unknown) =>
        this.options.log.error(`Processing message '${item.messageId}' failed: ${(error as Error).message}`),
      )
      .finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }
}

function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
