import { systemClock, type Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { TransientRemoteError } from '../../sync/types';
import type { BudgetPriority, MonthlyBudgetGovernor } from './budget-governor';
import { nextChinaMonthStart } from './china-month';
import {
  classifyOapiError,
  classifyV1Error,
  type DingTalkFailure,
  isIpBanBody,
  QuotaExhaustedError,
  toRemoteError,
  type V1ErrorBody,
} from './errors';
import { isMeteredApi } from './metered-apis';
import { QpsLimiter, realSleep } from './qps-limiter';
import type { AccessTokenSource } from './token-provider';

/**
 * Plain-fetch client for both DingTalk API families (v1.0 on api.dingtalk.com, legacy on oapi.dingtalk.com).
 * Every call goes through the same steps: monthly budget (metered APIs only), per-API rate limit, token, request
 * with a timeout, then the error mapping of errors.ts. Auth failures refresh the token once; QPS failures wait
 * and retry a few times; everything else is thrown for the sync engine's retry policy to handle.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface V1Request {
  method: HttpMethod;
  /** Path template such as /v1.0/calendar/users/{userId}/calendars/{calendarId}/events: it names the API. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The allowance a metered call is charged to (budget-governor.ts); background unless given. */
  priority?: BudgetPriority;
}

export interface DingTalkHttpClientOptions {
  apiBase: string;
  oapiBase: string;
  tokens: AccessTokenSource;
  limiter?: QpsLimiter;
  budget?: MonthlyBudgetGovernor;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  requestTimeoutMs?: number;
  /** How many times a QPS refusal (90018/90002) is retried, waiting 1 s, 2 s, … (default 3). */
  qpsRetries?: number;
  logger?: Logger;
}

type Family = 'v1' | 'oapi';
type Attempt = { ok: true; body: unknown } | { ok: false; failure: DingTalkFailure; retryAfterMs?: number };

interface OapiEnvelope {
  errcode?: number;
  errmsg?: string;
}

const IP_BAN_MS = 5 * 60_000;

export class DingTalkHttpClient {
  private readonly limiter: QpsLimiter;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly qpsRetries: number;

  constructor(private readonly options: DingTalkHttpClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    // DingTalk counts requests per real second, so the default limiter runs on the system clock even when a test
    // clock drives everything else.
    this.limiter = options.limiter ?? new QpsLimiter({ sleep: this.sleep });
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.qpsRetries = options.qpsRetries ?? 3;
  }

  /** A v1.0 call; resolves to the JSON body, or undefined for 204. */
  async v1<T>(req: V1Request): Promise<T | undefined> {
    const url = `${this.options.apiBase}${fillPath(req.path, req.params ?? {})}${queryString(req.query)}`;
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    return (await this.call('v1', req.method, req.path, req.priority, (token) => ({
      url,
      init: {
        method: req.method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...req.headers,
          'x-acs-dingtalk-access-token': token,
        },
        body,
      },
    }))) as T | undefined;
  }

  /** A legacy oapi call (always POST JSON here); resolves to the whole envelope once errcode is 0. */
  async oapi<T extends OapiEnvelope>(path: string, body: unknown, priority?: BudgetPriority): Promise<T> {
    const text = JSON.stringify(body);
    return (await this.call('oapi', 'POST', path, priority, (token) => ({
      url: `${this.options.oapiBase}${path}?access_token=${encodeURIComponent(token)}`,
      init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: text },
    }))) as T;
  }

  private async call(
    family: Family,
    method: HttpMethod,
    pathTemplate: string,
    priority: BudgetPriority | undefined,
    build: (token: string) => { url: string; init: RequestInit },
  ): Promise<unknown> {
    const api = `${method} ${pathTemplate}`;
    let authRetried = false;
    let qpsRetried = 0;
    // One charge per call, however many attempts it takes. DingTalk checks the token and then its rate limits
    // before an API runs: a request over a QPS limit "is rejected" and DingTalk's advice is to wait a second and
    // send it again (help.dingtalk.io/open/development/call-frequency-limit); nothing there says a rejected request
    // is metered, and a refused token names no org to charge. Both are the only refusals retried here, so the
    // retry is the same call. Should DingTalk meter refusals after all, its own 90020 still stops us
    // (markExhausted below).
    if (this.options.budget && isMeteredApi(pathTemplate)) await this.options.budget.consume(api, priority);
    for (;;) {
      const release = await this.limiter.acquire(api);
      let token: string;
      let outcome: Attempt;
      try {
        token = await this.options.tokens.getToken();
        const { url, init } = build(token);
        outcome = await this.attempt(family, url, init);
      } finally {
        release();
      }
      if (outcome.ok) return outcome.body;

      const { failure } = outcome;
      if (failure.kind === 'auth' && !authRetried) {
        authRetried = true;
        this.options.tokens.invalidate(token);
        continue;
      }
      if (failure.kind === 'qps' && qpsRetried < this.qpsRetries) {
        qpsRetried++;
        this.options.logger?.warn('DingTalk QPS limit; waiting', {
          api,
          code: failure.code,
          attempt: qpsRetried,
        });
        await this.sleep(1000 * qpsRetried);
        continue;
      }
      if (failure.kind === 'quota') throw await this.quotaExhausted(api, failure);
      if (failure.kind === 'ipBan') {
        throw new TransientRemoteError(
          `DingTalk ${api}: egress IP banned by rate limit`,
          outcome.retryAfterMs,
          failure.status,
        );
      }
      throw toRemoteError(failure, api, failure.kind === 'qps' ? 1000 : undefined);
    }
  }

  private async attempt(family: Family, url: string, init: RequestInit): Promise<Attempt> {
    let status = 0;
    let text: string;
    try {
      const response = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      return transient(timedOut ? 'Timeout' : 'NetworkError', (err as Error).message, status);
    }
    const json = parseJson(text);
    if (isIpBanBody(json)) {
      const waitMs = typeof json.wait === 'number' ? json.wait * 60_000 : IP_BAN_MS;
      return {
        ok: false,
        failure: { kind: 'ipBan', code: 'IpBanned', message: text, status },
        retryAfterMs: waitMs,
      };
    }
    if (family === 'v1') {
      if (status >= 200 && status < 300) return { ok: true, body: json };
      return { ok: false, failure: classifyV1Error(status, json as V1ErrorBody | undefined) };
    }
    if (status >= 500) return transient(`HTTP${status}`, text.slice(0, 200), status);
    const envelope = json as OapiEnvelope | undefined;
    if (typeof envelope?.errcode !== 'number') {
      return status >= 200 && status < 300
        ? transient('BadResponse', 'oapi answered without an errcode', status)
        : {
            ok: false,
            failure: { kind: 'permanent', code: `HTTP${status}`, message: text.slice(0, 200), status },
          };
    }
    if (envelope.errcode === 0) return { ok: true, body: envelope };
    return { ok: false, failure: classifyOapiError(envelope.errcode, envelope.errmsg ?? '') };
  }

  private async quotaExhausted(api: string, failure: DingTalkFailure): Promise<QuotaExhaustedError> {
    await this.options.budget?.markExhausted();
    const now = this.clock.now();
    const resumesAt = nextChinaMonthStart(now);
    return new QuotaExhaustedError(
      `DingTalk ${api}: org monthly call quota exhausted (${failure.code})`,
      resumesAt - now,
      new Date(resumesAt).toISOString(),
    );
  }
}

function transient(code: string, message: string, status: number): Attempt {
  return { ok: false, failure: { kind: 'transient', code, message, status } };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '')
      throw new Error(`path parameter ${name} is missing for ${template}`);
    return encodeURIComponent(value);
  });
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
