/**
 * Outlook allows 4 concurrent requests per app per mailbox and answers the fifth with 429 (MailboxConcurrency).
 * This keeps at most `limit` calls in flight per mailbox in this process and queues the rest in arrival order.
 * Several Function instances can still exceed it together; the retry policy handles the 429 they get then.
 */
export class MailboxLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(readonly limit = 4) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`limit must be a positive integer, got ${limit}`);
  }

  async run<T>(mailbox: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(mailbox);
    try {
      return await task();
    } finally {
      this.release(mailbox);
    }
  }

  inFlight(mailbox: string): number {
    return this.active.get(mailbox) ?? 0;
  }

  private acquire(mailbox: string): Promise<void> {
    const current = this.active.get(mailbox) ?? 0;
    if (current < this.limit) {
      this.active.set(mailbox, current + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.waiting.get(mailbox) ?? [];
      queue.push(resolve);
      this.waiting.set(mailbox, queue);
    });
  }

  private release(mailbox: string): void {
    const queue = this.waiting.get(mailbox);
    const next = queue?.shift();
    if (next) {
      // The slot passes straight to the next waiter, so the count stays the same.
      if (queue!.length === 0) this.waiting.delete(mailbox);
      next();
      return;
    }
    const current = (this.active.get(mailbox) ?? 1) - 1;
    if (current <= 0) this.active.delete(mailbox);
    else this.active.set(mailbox, current);
  }
}
