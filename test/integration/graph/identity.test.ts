import { ManualClock } from '../../../shared/platform/clock';
import { ClientCredentialsTokenProvider } from '../../../shared/connectors/graph/token-provider';
import { PermanentRemoteError } from '../../../shared/sync/types';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { failureOf, readJson } from '../../support/graph/loose';

/** The fake identity platform: client-credentials grants, AADSTS errors, token expiry seen by Graph. */

let fake: FakeGraph;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  fake = await startFakeGraph({ clock, tokenLifetimeSeconds: 600 });
});
afterEach(() => fake.stop());

const tokenRequest = (tenant: string, form: Record<string, string>) =>
  fetch(`${fake.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

const good = {
  client_id: 'sandbox-client',
  client_secret: 'sandbox-graph-secret',
  scope: 'https://graph.microsoft.com/.default',
  grant_type: 'client_credentials',
};

describe('fake identity platform', () => {
  test('issues a bearer token for the tenant id or its alias', async () => {
    for (const tenant of [fake.tenantId, 'sandbox-tenant']) {
      const res = await tokenRequest(tenant, good);
      const body = await readJson(res);
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, ext_expires_in: 600 });
      expect(body.access_token.split('.')).toHaveLength(3);
    }
  });

  test.each([
    ['wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['unknown app', { client_id: 'someone-else' }, 400, 'unauthorized_client', 700016],
    ['wrong scope', { scope: 'https://graph.microsoft.com/User.Read' }, 400, 'invalid_scope', 1002012],
    ['wrong grant', { grant_type: 'authorization_code' }, 400, 'unsupported_grant_type', 70003],
  ])('%s → AADSTS error', async (_name, change, status, error, code) => {
    const res = await tokenRequest(fake.tenantId, { ...good, ...change });
    const body = await readJson(res);
    expect(res.status).toBe(status);
    expect(body.error).toBe(error);
    expect(body.error_codes).toEqual([code]);
    expect(body.error_description).toMatch(
      new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]+\\r\\nCorrelation ID: `),
    );
    expect(Object.keys(body).sort()).toEqual([
      'correlation_id',
      'error',
      'error_codes',
      'error_description',
      'error_uri',
      'timestamp',
      'trace_id',
    ]);
  });

  test('unknown tenant → AADSTS90002', async () => {
    const body = await readJson(await tokenRequest('other-tenant', good));
    expect(body.error_codes).toEqual([90002]);
  });

  test('Graph answers 401 InvalidAuthenticationToken without a token and once the token expired', async () => {
    const token = (await readJson(await tokenRequest(fake.tenantId, good))).access_token as string;
    const call = (auth?: string) =>
      fetch(`${fake.url}/v1.0/users`, { headers: auth ? { authorization: auth } : {} });
    expect((await call(`Bearer ${token}`)).status).toBe(200);
    const missing = await call();
    expect(missing.status).toBe(401);
    expect((await readJson(missing)).error.code).toBe('InvalidAuthenticationToken');
    clock.advance(601_000);
    const expired = await call(`Bearer ${token}`);
    const body = await readJson(expired);
    expect(expired.status).toBe(401);
    expect(body.error).toMatchObject({
      code: 'InvalidAuthenticationToken',
      message: 'Lifetime validation failed, the token is expired.',
    });
    expect(Object.keys(body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
  });

  test("the project's token provider gets a permanent error naming the AADSTS code for a bad secret", async () => {
    const provider = new ClientCredentialsTokenProvider(
      {
        authorityHost: fake.url,
        tenantId: 'sandbox-tenant',
        clientId: 'sandbox-client',
        clientSecret: 'wrong-secret',
      },
      { clock },
    );
    const err = await failureOf(provider.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.message).toContain('AADSTS7000215');
  });
});
