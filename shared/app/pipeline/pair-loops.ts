import type { WorkItem } from '../../store/types';

export interface LoopRequest<R> {
  work: WorkItem;
  resolve(outcome: R): void;
  reject(err: unknown): void;
}

/**
 * One loop per (pair, kind) in this instance. A message for a pair whose loop is running joins it and is answered
 * when a pull that began after it arrived has finished, so the queue message (the durable hint) is completed only
 * once its change is synced, yet many messages cost one pull. Across instances the lease on the state row decides.
 */
export class PairLoops<R> {
  private readonly running = new Map<string, Array<LoopRequest<R>>>();

  /**
   * `handle` serves one batch and must answer each request in it; `more()` tells it whether requests arrived since
   * the batch was taken. `finish` runs once the loop has nothing left.
   */
  submit(
    key: string,
    work: WorkItem,
    handle: (batch: Array<LoopRequest<R>>, more: () => boolean) => Promise<void>,
    finish: () => Promise<void>,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const request = { work, resolve, reject };
      const queue = this.running.get(key);
      if (queue) {
        queue.push(request);
        return;
      }
      const fresh = [request];
      this.running.set(key, fresh);
      void this.run(key, fresh, handle, finish);
    });
  }

  private async run(
    key: string,
    queue: Array<LoopRequest<R>>,
    handle: (batch: Array<LoopRequest<R>>, more: () => boolean) => Promise<void>,
    finish: () => Promise<void>,
  ): Promise<void> {
    for (;;) {
      while (queue.length > 0) {
        const batch = queue.splice(0);
        try {
          await handle(batch, () => queue.length > 0);
        } catch (err) {
          for (const request of batch) request.reject(err);
        }
      }
      // Requests that arrive while the lease is being let go are served by this same loop.
      await finish().catch(() => undefined);
      if (queue.length === 0) break;
    }
    // Nothing awaits between the empty check and this delete, so no request can slip in unanswered.
    this.running.delete(key);
  }
}
