import { X509Certificate } from 'node:crypto';
import { ManualClock } from '../../../shared/platform/clock';
import { createLogger } from '../../../shared/platform/logger';
import {
  ClientCredentialsTokenProvider,
  clientCertificateFrom,
  credentialModeOf,
  graphScopeFor,
  tokenExchangeAudience,
} from '../../../shared/connectors/graph/token-provider';
import { PermanentRemoteError, TransientRemoteError } from '../../../shared/sync/types';
import { clientCertificate } from '../../support/graph/client-certificate';
import { failureOf } from '../../support/graph/loose';

/**
 * The token provider on @azure/msal-node, against a scripted identity platform. The authority is
 * login.microsoftonline.com, for which msal carries its endpoints itself: every request it makes is a token request.
 */

const credentials = {
  authorityHost: 'https://login.microsoftonline.com',
  tenantId: 'tenant-1',
  clientId: 'client-1',
  clientSecret: 'secret-value-1',
};

interface Call {
  url: string;
  method: string;
  form: URLSearchParams;
}

type Answer = (n: number) => { status: number; body: unknown; headers?: Record<string, string> };

const issue =
  (lifetimeSeconds = 3599, extra: Record<string, unknown> = {}): Answer =>
  (n) => ({
    status: 200,
    body: { token_type: 'Bearer', expires_in: lifetimeSeconds, access_token: `access-token-${n}`, ...extra },
  });

function identityPlatform(answer: Answer = issue()) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, method: String(init.method), form: new URLSearchParams(String(init.body ?? '')) });
    await new Promise((r) => setTimeout(r, 5));
    const { status, body, headers } = answer(calls.length);
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('client-credentials token provider (msal)', () => {
  test('secret: one POST to the tenant token endpoint with the client id, secret and .default scope', async () => {
    const platform = identityPlatform();
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl });
    expect(provider.mode).toBe('secret');
    expect(await provider.getAccessToken()).toBe('access-token-1');
    expect(platform.calls).toHaveLength(1);
    const [call] = platform.calls;
    expect(call.method).toBe('POST');
    expect(call.url.split('?')[0]).toBe('https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token');
    expect({
      client_id: call.form.get('client_id'),
      client_secret: call.form.get('client_secret'),
      scope: call.form.get('scope'),
      grant_type: call.form.get('grant_type'),
      client_assertion: call.form.get('client_assertion'),
    }).toEqual({
      client_id: 'client-1',
      client_secret: 'secret-value-1',
      scope: 'https://graph.microsoft.com/.default',
      grant_type: 'client_credentials',
      client_assertion: null,
    });
    expect(provider.requestCount).toBe(1);
  });

  test("msal's cache serves many calls, and concurrent callers share one request", async () => {
    const platform = identityPlatform();
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => provider.getAccessToken()));
    for (let i = 0; i < 20; i++) tokens.push(await provider.getAccessToken());
    expect(new Set(tokens)).toEqual(new Set(['access-token-1']));
    expect(platform.calls).toHaveLength(1);
  });

  test('the token held is handed out without asking msal until it is due, or until its refresh_in', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the instance the provider requires
    const msal = require('@azure/msal-node') as typeof import('@azure/msal-node');
    const asked = jest.spyOn(msal.ConfidentialClientApplication.prototype, 'acquireTokenByClientCredential');
    try {
      const clock = new ManualClock();
      const provider = new ClientCredentialsTokenProvider(credentials, {
        fetch: identityPlatform(issue(3599)).fetchImpl,
        clock,
      });
      for (let i = 0; i < 10; i++) expect(await provider.getAccessToken()).toBe('access-token-1');
      expect(asked).toHaveBeenCalledTimes(1);
      clock.advance((3599 - 299) * 1000);
      expect(await provider.getAccessToken()).toBe('access-token-2');
      expect(asked).toHaveBeenCalledTimes(2);

      asked.mockClear();
      const refreshing = new ClientCredentialsTokenProvider(credentials, {
        fetch: identityPlatform(issue(3599, { refresh_in: 600 })).fetchImpl,
        clock,
      });
      await refreshing.getAccessToken();
      await refreshing.getAccessToken();
      expect(asked).toHaveBeenCalledTimes(1);
      clock.advance(601_000);
      await refreshing.getAccessToken();
      expect(asked).toHaveBeenCalledTimes(2);
    } finally {
      asked.mockRestore();
    }
  });

  test("the app's clock renews the token 5 minutes before it expires", async () => {
    const clock = new ManualClock();
    const platform = identityPlatform(issue(3599));
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl, clock });
    await provider.getAccessToken();
    clock.advance((3599 - 301) * 1000);
    expect(await provider.getAccessToken()).toBe('access-token-1');
    clock.advance(2000);
    expect(await provider.getAccessToken()).toBe('access-token-2');
    expect(platform.calls).toHaveLength(2);
  });

  test('invalidate() forces a new token; invalidating another token does not', async () => {
    const platform = identityPlatform();
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl });
    await provider.getAccessToken();
    provider.invalidate('some-other-token');
    expect(await provider.getAccessToken()).toBe('access-token-1');
    provider.invalidate();
    expect(await provider.getAccessToken()).toBe('access-token-2');
    expect(await provider.getAccessToken()).toBe('access-token-2');
    expect(platform.calls).toHaveLength(2);
  });

  test('a refused secret is a permanent error naming the AADSTS code, without the secret or trace lines', async () => {
    const platform = identityPlatform(() => ({
      status: 401,
      body: {
        error: 'invalid_client',
        error_description: `AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x\r\nCorrelation ID: y`,
        error_codes: [7000215],
      },
    }));
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl });
    const err = await failureOf(provider.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.remoteCode).toBe('invalid_client');
    expect(err.status).toBe(401);
    expect(err.message).toBe(
      'token request refused (invalid_client: AADSTS7000215: Invalid client secret provided.)',
    );
    expect(err.message).not.toContain(credentials.clientSecret);
  });

  test('429/5xx are transient with Retry-After, and msal holds further requests for that long', async () => {
    const platform = identityPlatform(() => ({
      status: 503,
      body: { error: 'temporarily_unavailable', error_description: 'AADSTS50196: busy\r\nTrace ID: x' },
      headers: { 'retry-after': '7' },
    }));
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl });
    const first = await failureOf(provider.getAccessToken());
    expect(first).toBeInstanceOf(TransientRemoteError);
    expect(first.retryAfterMs).toBe(7000);
    expect(first.status).toBe(503);
    const held = await failureOf(provider.getAccessToken());
    expect(held).toBeInstanceOf(TransientRemoteError);
    expect(held.retryAfterMs).toBeGreaterThan(5000);
    expect(held.retryAfterMs).toBeLessThanOrEqual(7000);
    expect(platform.calls).toHaveLength(1);
  });

  test('an unreachable identity platform is transient and says where', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') });
    }) as unknown as typeof fetch;
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: fetchImpl });
    const err = await failureOf(provider.getAccessToken());
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect(err.message).toBe(
      'identity platform unreachable: https://login.microsoftonline.com: fetch failed (connect ECONNREFUSED 127.0.0.1:1)',
    );
  });

  test("msal's warnings reach the app logger, with no token or secret in any line", async () => {
    // refresh_in makes msal refresh in the background while the token is still good; a 503 then is only a warning.
    const platform = identityPlatform((n) =>
      n === 1
        ? issue(3599, { refresh_in: 1 })(n)
        : { status: 503, body: { error: 'temporarily_unavailable', error_description: 'AADSTS50196: busy' } },
    );
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (_level, line) => lines.push(line) });
    const provider = new ClientCredentialsTokenProvider(credentials, { fetch: platform.fetchImpl, logger });
    const token = await provider.getAccessToken();
    await new Promise((r) => setTimeout(r, 2100));
    expect(await provider.getAccessToken()).toBe(token);
    expect(platform.calls).toHaveLength(2);
    expect(lines.some((l) => l.includes('AAD is currently unavailable'))).toBe(true);
    // App-only responses carry no client_info, which msal-node mentions on every token: a debug line, not a warning.
    const noClientInfo = lines.filter((l) => l.includes('No client info in response'));
    expect(noClientInfo.length).toBeGreaterThan(0);
    for (const line of noClientInfo) expect(JSON.parse(line)).toMatchObject({ level: 'debug', msg: 'msal' });
    for (const line of lines.filter((l) => !noClientInfo.includes(l))) {
      expect(JSON.parse(line)).toMatchObject({ level: 'warn', msg: 'msal' });
      expect(line).not.toContain(token);
      expect(line).not.toContain(credentials.clientSecret);
    }
    // A token the provider handed out is masked wherever the app logs it.
    createLogger({ sink: (_l, line) => lines.push(line) }).info(`calling with ${token}`);
    expect(lines.at(-1)).not.toContain(token);
  });

  test('managed identity: the assertion is the identity token for api://AzureADTokenExchange', async () => {
    const platform = identityPlatform();
    const asked: string[] = [];
    const managedIdentity = {
      getToken: async (scopes: string | string[]) => {
        asked.push(String(scopes));
        return { token: 'mi-token-abc.def.ghi', expiresOnTimestamp: Date.now() + 3600_000 };
      },
    };
    const provider = new ClientCredentialsTokenProvider(
      { ...credentials, clientSecret: undefined },
      { fetch: platform.fetchImpl, managedIdentity },
    );
    expect(provider.mode).toBe('managed-identity');
    await provider.getAccessToken();
    expect(asked).toEqual(['api://AzureADTokenExchange/.default']);
    const form = platform.calls[0].form;
    expect(form.get('client_assertion')).toBe('mi-token-abc.def.ghi');
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(form.get('client_secret')).toBeNull();
  });

  test('managed identity missing here: a permanent error that says what the app needs', async () => {
    const unavailable = Object.assign(
      new Error('ManagedIdentityCredential: no managed identity endpoint found'),
      {
        name: 'CredentialUnavailableError',
      },
    );
    const platform = identityPlatform();
    const provider = new ClientCredentialsTokenProvider(
      { ...credentials, clientSecret: undefined, credential: 'managed-identity' },
      {
        fetch: platform.fetchImpl,
        managedIdentity: {
          getToken: async () => {
            throw unavailable;
          },
        },
      },
    );
    const err = await failureOf(provider.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.message).toMatch(
      /^the managed identity gave no token for api:\/\/AzureADTokenExchange \(ManagedIdentityCredential: .*\): .*AZURE_CLIENT_ID/,
    );
    expect(platform.calls).toHaveLength(0);
  });

  test('the credential rule: secret when one is given, else managed identity; an explicit choice wins', () => {
    expect(credentialModeOf({ clientSecret: 's' })).toBe('secret');
    expect(credentialModeOf({})).toBe('managed-identity');
    expect(credentialModeOf({ clientSecret: 's', credential: 'managed-identity' })).toBe('managed-identity');
    expect(() => new ClientCredentialsTokenProvider({ ...credentials, credential: 'certificate' })).toThrow(
      /needs the Key Vault certificate name and the vault/,
    );
  });

  test('scope and token-exchange audience follow the cloud', () => {
    expect(graphScopeFor('https://graph.microsoft.com')).toBe('https://graph.microsoft.com/.default');
    expect(graphScopeFor('https://microsoftgraph.chinacloudapi.cn')).toBe(
      'https://microsoftgraph.chinacloudapi.cn/.default',
    );
    expect(graphScopeFor('https://127.0.0.1:7443')).toBe('https://graph.microsoft.com/.default');
    expect(tokenExchangeAudience('https://login.microsoftonline.com')).toBe('api://AzureADTokenExchange');
    expect(tokenExchangeAudience('https://login.microsoftonline.us')).toBe('api://AzureADTokenExchangeUSGov');
    expect(tokenExchangeAudience('https://login.partner.microsoftonline.cn')).toBe(
      'api://AzureADTokenExchangeChina',
    );
    expect(tokenExchangeAudience('https://127.0.0.1:7443')).toBe('api://AzureADTokenExchange');
  });
});

describe('the certificate from Key Vault (PEM)', () => {
  test('gives msal the key, the SHA-256 thumbprint and the certificate that matches the key', async () => {
    const { pem, cert } = await clientCertificate();
    const other = await clientCertificate();
    // Another certificate first: the one that matches the key is chosen, wherever it is.
    const parsed = clientCertificateFrom(`${other.cert}\n${pem}`, 'graph-cert');
    expect(parsed.thumbprintSha256).toBe(
      new X509Certificate(cert).fingerprint256.replace(/:/g, '').toLowerCase(),
    );
    expect(parsed.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(parsed.x5c).fingerprint256).toBe(new X509Certificate(cert).fingerprint256);
  });

  test('says plainly what is wrong with one that cannot be used', async () => {
    const good = await clientCertificate();
    const other = await clientCertificate();
    const expired = await clientCertificate({ expired: true });
    const ec = await clientCertificate({ keyType: 'ec' });
    const pkcs12 = Buffer.from('not a pem at all').toString('base64');
    const cases: [string, RegExp][] = [
      [pkcs12, /not a PEM certificate with its private key.*content type PEM \(application\/x-pem-file\)/],
      [`${good.key}\n${other.cert}`, /none of the certificates in "graph-cert" matches its private key/],
      [expired.pem, /certificate "graph-cert" expired on \d{4}-\d\d-\d\dT.*renew it in Key Vault/],
      [ec.pem, /has a ec key; Entra takes RSA certificates/],
      [
        good.pem
          .replace('BEGIN PRIVATE KEY', 'BEGIN ENCRYPTED PRIVATE KEY')
          .replace('END PRIVATE KEY', 'END ENCRYPTED PRIVATE KEY'),
        /private key of certificate "graph-cert" is encrypted/,
      ],
    ];
    for (const [pem, message] of cases) {
      let error: unknown;
      try {
        clientCertificateFrom(pem, 'graph-cert');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PermanentRemoteError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(good.key.split('\n')[1]);
    }
  });
});

describe('loading', () => {
  test('@azure/msal-node loads with the first token request, not with the module', async () => {
    const loaded: string[] = [];
    jest.resetModules();
    jest.doMock('@azure/msal-node', () => {
      loaded.push('@azure/msal-node');
      return jest.requireActual('@azure/msal-node');
    });
    type Module = typeof import('../../../shared/connectors/graph/token-provider');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy, after the mock above
    const fresh = require('../../../shared/connectors/graph/token-provider') as Module;
    const provider = new fresh.ClientCredentialsTokenProvider(credentials, {
      fetch: identityPlatform().fetchImpl,
    });
    expect(loaded).toEqual([]);
    await provider.getAccessToken();
    expect(loaded).toEqual(['@azure/msal-node']);
    jest.dontMock('@azure/msal-node');
  });
});
