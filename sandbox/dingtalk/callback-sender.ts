import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';
import { callbackSignature, decryptCallback, encryptCallback } from './callback-crypto';
import { postJson } from '../post-json';

/**
 * HTTP-push event delivery as DingTalk does it (DingTalk's documentation): the JSON payload encrypted with the
 * aes_key and the ownerKey, POSTed as {"encrypt"} with signature, timestamp (ms) and nonce in the query; the
 * receiver must answer with the encrypted "success" JSON, else the delivery counts as failed. Like the real
 * service it sometimes delivers an event more than once (re-encrypted, same event).
 */

export interface CallbackTarget {
  url: string;
  token: string;
  aesKey: string;
  /** appKey for console-configured subscriptions of an internal app (the default), corpId for register_call_back. */
  ownerKey: string;
  /** "current": signature/timestamp/nonce; "legacy": msg_signature/timeStamp/nonce. */
  queryStyle?: 'current' | 'legacy';
}

export interface CallbackBehaviour {
  /** Chance that an event is delivered again after the first delivery. */
  duplicateProbability: number;
  /** How many extra deliveries a duplicated event gets. */
  duplicateCount: number;
  duplicateDelayMs: number;
  /** Chance that an event is never delivered. */
  dropProbability: number;
  /** How long the receiver has to answer (DingTalk documents 1,500 ms for check_url). */
  replyDeadlineMs: number;
  random: () => number;
}

export interface CallbackDelivery {
  eventType: string;
  payload: Record<string, unknown>;
  /** 0 for the first delivery, 1… for duplicates; -1 when the event was dropped. */
  attempt: number;
  ok: boolean;
  status?: number;
  reason?: string;
  elapsedMs: number;
  /** When DingTalk sent it (the fake's clock, ms); what the failed-callback listing reports as eventTime. */
  at: number;
}

export const DEFAULT_BEHAVIOUR: CallbackBehaviour = {
  duplicateProbability: 0,
  duplicateCount: 1,
  duplicateDelayMs: 50,
  dropProbability: 0,
  replyDeadlineMs: 1500,
  random: Math.random,
};

export class CallbackSender {
  private readonly pending = new Set<Promise<void>>();
  private readonly log: CallbackDelivery[] = [];

  constructor(
    private readonly clock: Clock,
    public target: CallbackTarget | undefined,
    public behaviour: CallbackBehaviour,
  ) {}

  /** Queues delivery of one event (with the configured drops and duplicates); returns at once. */
  send(payload: Record<string, unknown>): void {
    const target = this.target;
    if (!target) return;
    const eventType = String(payload.EventType);
    if (this.behaviour.random() < this.behaviour.dropProbability) {
      this.log.push({
        eventType,
        payload,
        attempt: -1,
        ok: false,
        reason: 'dropped',
        elapsedMs: 0,
        at: this.clock.now(),
      });
      return;
    }
    const extra =
      this.behaviour.random() < this.behaviour.duplicateProbability ? this.behaviour.duplicateCount : 0;
    this.track(
      (async () => {
        for (let attempt = 0; attempt <= extra; attempt++) {
          if (attempt > 0) await delay(this.behaviour.duplicateDelayMs);
          this.log.push(await this.deliver(target, payload, attempt));
        }
      })(),
    );
  }

  /** What the console's save button does: push check_url and see whether the right answer comes back in time. */
  async checkUrl(): Promise<CallbackDelivery> {
    if (!this.target) throw new Error('no callback URL is configured');
    const delivery = await this.deliver(this.target, { EventType: 'check_url' }, 0);
    this.log.push(delivery);
    return delivery;
  }

  deliveries(): CallbackDelivery[] {
    return [...this.log];
  }

  /** Resolves once every queued delivery (duplicates included) has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async deliver(
    target: CallbackTarget,
    payload: Record<string, unknown>,
    attempt: number,
  ): Promise<CallbackDelivery> {
    const eventType = String(payload.EventType);
    const timestamp = String(this.clock.now());
    const nonce = randomBytes(6).toString('base64url');
    const encrypt = encryptCallback(JSON.stringify(payload), target.aesKey, target.ownerKey);
    const signature = callbackSignature(target.token, timestamp, nonce, encrypt);
    const query: Record<string, string> =
      target.queryStyle === 'legacy'
        ? { msg_signature: signature, timeStamp: timestamp, nonce }
        : { signature, timestamp, nonce };
    const url = `${target.url}${target.url.includes('?') ? '&' : '?'}${new URLSearchParams(query)}`;
    const started = performance.now();
    const result = (ok: boolean, status?: number, reason?: string): CallbackDelivery => ({
      eventType,
      payload,
      attempt,
      ok,
      status,
      reason,
      elapsedMs: Math.round(performance.now() - started),
      at: Number(timestamp),
    });
    try {
      const response = await postJson(
        url,
        JSON.stringify({ encrypt }),
        'application/json',
        this.behaviour.replyDeadlineMs,
      );
      const text = response.text;
      if (response.status !== 200) return result(false, response.status, `HTTP ${response.status}`);
      const problem = replyProblem(text, target);
      return problem ? result(false, 200, problem) : result(true, 200);
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return result(
        false,
        undefined,
        timedOut ? `no answer within ${this.behaviour.replyDeadlineMs} ms` : (err as Error).message,
      );
    }
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Undefined when the reply is the signed, encrypted "success" for our ownerKey; else what is wrong with it. The
 * fake's own reading of the reply, not the app's (the preflight has one): a shared check would hide its bugs here.
 */
function replyProblem(text: string, target: CallbackTarget): string | undefined {
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'reply is not JSON';
  }
  const { msg_signature, timeStamp, nonce, encrypt } = reply;
  if (![msg_signature, timeStamp, nonce, encrypt].every((v) => typeof v === 'string')) {
    return 'reply lacks msg_signature/timeStamp/nonce/encrypt';
  }
  if (
    callbackSignature(target.token, timeStamp as string, nonce as string, encrypt as string) !== msg_signature
  ) {
    return 'reply signature does not match';
  }
  try {
    const { message, ownerKey } = decryptCallback(encrypt as string, target.aesKey);
    if (message !== 'success') return '71009 返回文本非success';
    if (ownerKey !== target.ownerKey) return 'reply is encrypted for another ownerKey';
  } catch {
    return 'reply does not decrypt';
  }
  return undefined;
}
