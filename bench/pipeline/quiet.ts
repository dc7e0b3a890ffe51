import { setTimeout as sleep } from 'node:timers/promises';
import type { AppContext } from '../../shared/app/context';
import { SYNC_WORK_QUEUE } from '../../shared/store/work-queue';
import type { Fakes } from '../fakes/fakes-client';

export interface QuietParts {
  fakes: Fakes;
  /** A context of the bench's own on the app's storage, so these reads are not counted as the app's. */
  observer: AppContext;
  /**
   * Messages that are always in the queue and are no pending work: one poll chain per polled mailbox, each a
   * message invisible until the mailbox's next slot (0 without mail).
   */
  standing?: () => number;
}

const CALM_ROUNDS = 4;
const ROUND_MS = 75;

/**
 * Waits until nothing is pending: no notification or callback in flight, no queue message (the approximate count
 * includes invisible and delayed ones), several rounds in a row. Throws after timeoutMs.
 */
export async function waitForQuiet(parts: QuietParts, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const queue = await parts.observer.storage.queue(SYNC_WORK_QUEUE);
  let calm = 0;
  while (calm < CALM_ROUNDS) {
    if (Date.now() > deadline) throw new Error(`the pipeline did not settle within ${timeoutMs / 1000} s`);
    await parts.fakes.call('settle');
    const queued = (await queue.getProperties()).approximateMessagesCount ?? 0;
    // A hint is a queue message until the worker has finished with it, so an empty queue is no pending work.
    calm = queued > (parts.standing?.() ?? 0) ? 0 : calm + 1;
    await sleep(ROUND_MS);
  }
}
