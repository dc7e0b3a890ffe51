import type { GraphChangeNotification, GraphLifecycleEvent } from '../../shared/connectors/graph/wire-types';
import { sleep } from './http-util';
import { postJson } from '../post-json';

/**
 * Delivers change and lifecycle notifications to subscribers' endpoints, with the faults real delivery has:
 * duplicates, reordering, delays and drops (a dropped notification is announced with a `missed` lifecycle event,
 * as Graph does). Failed deliveries are retried a few times, then given up and also announced as `missed`.
 */

export interface NotificationTarget {
  subscriptionId: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
}

export interface Delivery {
  url: string;
  kind: 'change' | 'lifecycle';
  body: { value: GraphChangeNotification[] };
  attempt: number;
  status?: number;
  error?: string;
  durationMs?: number;
  at: number;
}

export interface NotifierOptions {
  tenantId: string;
  /** Deadline for the endpoint's answer (Graph: 3 s / 10 s depending on the doc generation). */
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

interface Outgoing {
  target: NotificationTarget;
  item: GraphChangeNotification;
}

export type ReleaseOrder = 'fifo' | 'reverse';

const MAX_RECORDED = 5000;

export class Notifier {
  readonly deliveries: Delivery[] = [];
  private dropCount = 0;
  private duplicateCount = 0;
  private readonly delays: number[] = [];
  private holding = false;
  private held: Outgoing[] = [];
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly options: NotifierOptions) {}

  dropNext(count: number): void {
    this.dropCount += count;
  }

  duplicateNext(count: number): void {
    this.duplicateCount += count;
  }

  delayNext(count: number, ms: number): void {
    for (let i = 0; i < count; i++) this.delays.push(ms);
  }

  hold(): void {
    this.holding = true;
  }

  /** Stops holding and delivers what was held, one after another in the given order. */
  release(order: ReleaseOrder = 'fifo'): Promise<void> {
    this.holding = false;
    const batch = order === 'reverse' ? [...this.held].reverse() : [...this.held];
    this.held = [];
    return this.track(
      (async () => {
        for (const o of batch) await this.deliver(o.target.notificationUrl, 'change', o.item, o.target);
      })(),
    );
  }

  heldCount(): number {
    return this.held.length;
  }

  change(target: NotificationTarget, item: GraphChangeNotification): void {
    if (this.stopped) return;
    if (this.dropCount > 0) {
      this.dropCount--;
      this.lifecycle(target, 'missed');
      return;
    }
    if (this.holding) {
      this.held.push({ target, item });
      return;
    }
    const copies = this.duplicateCount > 0 ? 2 : 1;
    if (copies === 2) this.duplicateCount--;
    const delay = this.delays.shift() ?? 0;
    this.track(
      (async () => {
        if (delay > 0) await sleep(delay);
        for (let i = 0; i < copies; i++) await this.deliver(target.notificationUrl, 'change', item, target);
      })(),
    );
  }

  lifecycle(target: NotificationTarget, event: GraphLifecycleEvent): void {
    if (this.stopped || !target.lifecycleNotificationUrl) return;
    const item: GraphChangeNotification = {
      subscriptionId: target.subscriptionId,
      subscriptionExpirationDateTime: target.expirationDateTime,
      tenantId: this.options.tenantId,
      clientState: target.clientState,
      lifecycleEvent: event,
    };
    this.track(this.deliver(target.lifecycleNotificationUrl, 'lifecycle', item, target));
  }

  /** Resolves when every delivery started so far has finished (including retries). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
  }

  private track(p: Promise<void>): Promise<void> {
    const tracked = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  private async deliver(
    url: string,
    kind: Delivery['kind'],
    item: GraphChangeNotification,
    target: NotificationTarget,
  ): Promise<void> {
    const body = { value: [item] };
    for (let attempt = 1; attempt <= this.options.retries + 1 && !this.stopped; attempt++) {
      const record: Delivery = { url, kind, body, attempt, at: Date.now() };
      this.deliveries.push(record);
      if (this.deliveries.length > MAX_RECORDED)
        this.deliveries.splice(0, this.deliveries.length - MAX_RECORDED);
      const started = Date.now();
      try {
        const response = await postJson(
          url,
          JSON.stringify(body),
          'application/json; charset=utf-8',
          this.options.timeoutMs,
        );
        record.status = response.status;
        record.durationMs = Date.now() - started;
        if (response.status >= 200 && response.status < 300) return;
      } catch (err) {
        record.error = (err as Error).message;
        record.durationMs = Date.now() - started;
      }
      if (attempt <= this.options.retries) await sleep(this.options.retryDelayMs * attempt);
    }
    if (kind === 'change') this.lifecycle(target, 'missed');
  }
}
