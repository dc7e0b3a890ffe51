import { systemClock, type Clock } from '../../platform/clock';
import { registerSecret } from '../../platform/logger';
import { PermanentRemoteError, TransientRemoteError } from '../../sync/types';
import { classifyV1Error, type V1ErrorBody } from './errors';

/**
 * The internal app's access token (POST /v1.0/oauth2/accessToken, DingTalk's documentation). One token serves
 * both API families. It is reused until 5 minutes before it expires, and concurrent callers share one request:
 * DingTalk rate-limits the token endpoint and asks apps to cache.
 */

export interface AccessTokenSource {
  getToken(): Promise<string>;
  /** Forget `token` (DingTalk said it is invalid) so the next getToken fetches a fresh one. */
  invalidate(token: string): void;
}

export interface DingTalkAppCredentials {
  apiBase: string;
  appKey: string;
  appSecret: string;
}

export interface DingTalkTokenProviderOptions {
  clock?: Clock;
  fetch?: typeof fetch;
  renewBeforeMs?: number;
  timeoutMs?: number;
}

interface AccessTokenResponse extends V1ErrorBody {
  accessToken?: string;
  expireIn?: number;
}

export class DingTalkTokenProvider implements AccessTokenSource {
  private cached: { value: string; renewAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly renewBeforeMs: number;
  private readonly timeoutMs: number;
  /** How many times the token endpoint was called; tests read it. */
  requestCount = 0;

  constructor(
    private readonly credentials: DingTalkAppCredentials,
    options: DingTalkTokenProviderOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
    this.renewBeforeMs = options.renewBeforeMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    registerSecret(credentials.appSecret);
  }

  getToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.renewAt) return Promise.resolve(this.cached.value);
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const requestedAt = this.clock.now();
    this.requestCount++;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.credentials.apiBase}/v1.0/oauth2/accessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appKey: this.credentials.appKey, appSecret: this.credentials.appSecret }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new TransientRemoteError(`DingTalk token endpoint unreachable: ${(err as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as AccessTokenResponse | undefined;
    if (!response.ok || !body?.accessToken) {
      const failure = classifyV1Error(response.status, body);
      const text = `DingTalk token request failed: ${failure.code} ${failure.message}`.trim();
      if (failure.kind === 'transient' || failure.kind === 'qps') {
        throw new TransientRemoteError(text, failure.kind === 'qps' ? 1000 : undefined, response.status);
      }
      throw new PermanentRemoteError(text, failure.code, response.status);
    }
    registerSecret(body.accessToken);
    const lifetimeMs = Number(body.expireIn ?? 7200) * 1000;
    const margin = Math.min(this.renewBeforeMs, lifetimeMs / 2);
    this.cached = { value: body.accessToken, renewAt: requestedAt + lifetimeMs - margin };
    return body.accessToken;
  }
}
