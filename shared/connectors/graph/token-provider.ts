import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { systemClock, type Clock } from '../../platform/clock';
import { registerSecret } from '../../platform/logger';
import { PermanentRemoteError, TransientRemoteError } from '../../sync/types';

/**
 * App-only access tokens from the Microsoft identity platform (client credentials with a secret). A token is
 * reused until shortly before it expires, and concurrent callers share one request to the token endpoint.
 */

export interface ClientCredentials {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Defaults to "<Graph resource>/.default" for the Graph base URL given, else the global cloud. */
  scope?: string;
}

export interface TokenProviderOptions {
  clock?: Clock;
  fetch?: typeof fetch;
  /** Renew this long before expiry (default 5 min, as MSAL does); capped at half the token's lifetime. */
  renewBeforeMs?: number;
  timeoutMs?: number;
}

interface CachedToken {
  value: string;
  renewAt: number;
}

interface TokenResponse {
  access_token?: string;
  expires_in?: number | string;
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

const NATIONAL_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

export function graphScopeFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  return NATIONAL_GRAPH_HOSTS.has(url.hostname)
    ? `${url.origin}/.default`
    : 'https://graph.microsoft.com/.default';
}

export class ClientCredentialsTokenProvider implements AuthenticationProvider {
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly renewBeforeMs: number;
  private readonly timeoutMs: number;
  private readonly scope: string;
  /** How many times the token endpoint was called; tests read it. */
  requestCount = 0;

  constructor(
    private readonly credentials: ClientCredentials,
    options: TokenProviderOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
    this.renewBeforeMs = options.renewBeforeMs ?? 5 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.scope = credentials.scope ?? 'https://graph.microsoft.com/.default';
    registerSecret(credentials.clientSecret);
  }

  getAccessToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.renewAt) return Promise.resolve(this.cached.value);
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forget the cached token, e.g. after Graph answered 401 InvalidAuthenticationToken. */
  invalidate(token?: string): void {
    if (!token || this.cached?.value === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const url = `${this.credentials.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(this.credentials.tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
      scope: this.scope,
      grant_type: 'client_credentials',
    });
    const requestedAt = this.clock.now();
    this.requestCount++;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new TransientRemoteError(`token endpoint unreachable: ${(err as Error).message}`);
    }
    const body = (await response.json().catch(() => ({}))) as TokenResponse;
    if (!response.ok || !body.access_token) {
      const why = `${body.error ?? response.status}: ${firstLine(body.error_description)}`;
      if (response.status === 429 || response.status >= 500) {
        const retryAfter = Number(response.headers.get('retry-after'));
        throw new TransientRemoteError(
          `token request failed (${why})`,
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
          response.status,
        );
      }
      throw new PermanentRemoteError(`token request refused (${why})`, body.error, response.status);
    }
    registerSecret(body.access_token);
    const lifetimeMs = Number(body.expires_in ?? 3599) * 1000;
    const margin = Math.min(this.renewBeforeMs, lifetimeMs / 2);
    this.cached = { value: body.access_token, renewAt: requestedAt + lifetimeMs - margin };
    return body.access_token;
  }
}

/** AADSTS descriptions carry trace ids and timestamps on later lines; the first line says what is wrong. */
function firstLine(text: string | undefined): string {
  return (text ?? '').split(/\r?\n/)[0];
}
