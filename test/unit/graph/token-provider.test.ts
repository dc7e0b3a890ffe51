import { ManualClock } from '../../../shared/platform/clock';
import { createLogger } from '../../../shared/platform/logger';
import {
  ClientCredentialsTokenProvider,
  graphScopeFor,
} from '../../../shared/connectors/graph/token-provider';
import { PermanentRemoteError, TransientRemoteError } from '../../../shared/sync/types';
import { failureOf } from '../../support/graph/loose';

const credentials = {
  authorityHost: 'https://login.example',
  tenantId: 'tenant-1',
  clientId: 'client-1',
  clientSecret: 'secret-value-1',
};

function tokenEndpoint(lifetimeSeconds = 3599) {
  const calls: { url: string; body: URLSearchParams }[] = [];
  let n = 0;
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, body: new URLSearchParams(String(init.body)) });
    await new Promise((r) => setTimeout(r, 5));
    n++;
    return new Response(
      JSON.stringify({
        token_type: 'Bearer',
        expires_in: lifetimeSeconds,
        access_token: `access-token-${n}`,
      }),
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
      },
    );
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('client-credentials token provider', () => {
  test('asks the tenant token endpoint with the client credentials and the .default scope', async () => {
    const endpoint = tokenEndpoint();
    const provider = new ClientCredentialsTokenProvider(credentials, {
      fetch: endpoint.fetchImpl,
      clock: new ManualClock(),
    });
    expect(await provider.getAccessToken()).toBe('access-token-1');
    expect(endpoint.calls[0].url).toBe('https://login.example/tenant-1/oauth2/v2.0/token');
    expect(Object.fromEntries(endpoint.calls[0].body)).toEqual({
      client_id: 'client-1',
      client_secret: 'secret-value-1',
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
    });
  });

  test('reuses the token until 5 minutes before it expires, then fetches a new one', async () => {
    const clock = new ManualClock();
    const endpoint = tokenEndpoint(3599);
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: endpoint.fetchImpl, clock });
    await provider.getAccessToken();
    clock.advance((3599 - 301) * 1000);
    expect(await provider.getAccessToken()).toBe('access-token-1');
    clock.advance(2000);
    expect(await provider.getAccessToken()).toBe('access-token-2');
    expect(endpoint.calls).toHaveLength(2);
  });

  test('short-lived tokens are renewed at half their lifetime', async () => {
    const clock = new ManualClock();
    const endpoint = tokenEndpoint(60);
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: endpoint.fetchImpl, clock });
    await provider.getAccessToken();
    clock.advance(29_000);
    expect(await provider.getAccessToken()).toBe('access-token-1');
    clock.advance(2_000);
    expect(await provider.getAccessToken()).toBe('access-token-2');
  });

  test('concurrent callers share one request (single flight)', async () => {
    const endpoint = tokenEndpoint();
    const provider = new ClientCredentialsTokenProvider(credentials, {
      fetch: endpoint.fetchImpl,
      clock: new ManualClock(),
    });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => provider.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['access-token-1']));
    expect(endpoint.calls).toHaveLength(1);
  });

  test('invalidate() forces a new token', async () => {
    const endpoint = tokenEndpoint();
    const provider = new ClientCredentialsTokenProvider(credentials, {
      fetch: endpoint.fetchImpl,
      clock: new ManualClock(),
    });
    await provider.getAccessToken();
    provider.invalidate('some-other-token');
    expect(await provider.getAccessToken()).toBe('access-token-1');
    provider.invalidate();
    expect(await provider.getAccessToken()).toBe('access-token-2');
  });

  test('tokens and the secret never reach a log line', async () => {
    const endpoint = tokenEndpoint();
    const provider = new ClientCredentialsTokenProvider(credentials, {
      fetch: endpoint.fetchImpl,
      clock: new ManualClock(),
    });
    const token = await provider.getAccessToken();
    const lines: string[] = [];
    createLogger({ sink: (_l, line) => lines.push(line) }).info(`calling with ${token}`, {
      note: `secret ${credentials.clientSecret}`,
    });
    expect(lines[0]).not.toContain(token);
    expect(lines[0]).not.toContain(credentials.clientSecret);
  });

  test('refusals are permanent errors naming the AADSTS code; 5xx and 429 are transient', async () => {
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      (async () => new Response(JSON.stringify(body), { status, headers })) as unknown as typeof fetch;
    const refused = new ClientCredentialsTokenProvider(credentials, {
      fetch: answer(401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x',
      }),
    });
    const err = await failureOf(refused.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.remoteCode).toBe('invalid_client');
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).not.toContain('Trace ID');
    const busy = new ClientCredentialsTokenProvider(credentials, {
      fetch: answer(503, {}, { 'retry-after': '7' }),
    });
    const transient = await failureOf(busy.getAccessToken());
    expect(transient).toBeInstanceOf(TransientRemoteError);
    expect(transient.retryAfterMs).toBe(7000);
  });

  test('scope follows national clouds and defaults to the global cloud for other hosts', () => {
    expect(graphScopeFor('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default');
    expect(graphScopeFor('https://microsoftgraph.chinacloudapi.cn')).toBe(
      'https://microsoftgraph.chinacloudapi.cn/.default',
    );
    expect(graphScopeFor('https://127.0.0.1:7443')).toBe('https://graph.microsoft.com/.default');
  });
});
