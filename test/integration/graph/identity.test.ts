import { constants, createHash, sign, X509Certificate } from 'node:crypto';
import { ManualClock } from '../../../shared/platform/clock';
import { ClientCredentialsTokenProvider } from '../../../shared/connectors/graph/token-provider';
import { PermanentRemoteError } from '../../../shared/sync/types';
import { SANDBOX_APP, startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { clientCertificate } from '../../support/graph/client-certificate';
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

  describe('client assertions (RFC 7523), checked as Entra does', () => {
    const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = () => Math.floor(clock.now() / 1000);
    const assertionRequest = (clientId: string, assertion: string, type = JWT_BEARER) =>
      tokenRequest('sandbox-tenant', {
        client_id: clientId,
        client_assertion_type: type,
        client_assertion: assertion,
        scope: 'https://graph.microsoft.com/.default',
        grant_type: 'client_credentials',
      });
    const aadsts = async (res: Response) => {
      const body = await readJson(res);
      return {
        status: res.status,
        error: body.error,
        code: body.error_codes?.[0],
        text: body.error_description,
      };
    };

    /** What msal builds from a certificate: PS256, x5t#S256, iss = sub = client id, aud = the token endpoint. */
    function certificateAssertion(
      key: string,
      cert: string,
      claims: Record<string, unknown> = {},
      clientId = 'cert-client',
    ): string {
      const thumbprint = createHash('sha256').update(new X509Certificate(cert).raw).digest('base64url');
      const signed = `${b64({ alg: 'PS256', typ: 'JWT', 'x5t#S256': thumbprint })}.${b64({
        aud: `${fake.url}/sandbox-tenant/oauth2/v2.0/token`,
        iss: clientId,
        sub: clientId,
        nbf: now(),
        exp: now() + 600,
        jti: 'a-jti',
        ...claims,
      })}`;
      const signature = sign('sha256', Buffer.from(signed), {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
      return `${signed}.${signature.toString('base64url')}`;
    }

    test('a certificate registered on the app signs a valid assertion; others are refused with AADSTS700027', async () => {
      const registered = await clientCertificate();
      const unknown = await clientCertificate();
      fake.control.registerApp({
        clientId: 'cert-client',
        certificates: [registered.cert],
        roles: SANDBOX_APP.roles,
      });
      const good = await assertionRequest(
        'cert-client',
        certificateAssertion(registered.key, registered.cert),
      );
      expect(good.status).toBe(200);
      expect((await readJson(good)).access_token.split('.')).toHaveLength(3);

      const notRegistered = await aadsts(
        await assertionRequest('cert-client', certificateAssertion(unknown.key, unknown.cert)),
      );
      expect(notRegistered).toMatchObject({ status: 401, error: 'invalid_client', code: 700027 });
      expect(notRegistered.text).toContain(
        `Thumbprint of key used by client: '${new X509Certificate(unknown.cert).fingerprint256.replace(/:/g, '')}'`,
      );
      // The registered certificate's thumbprint, signed with another key.
      const forged = await aadsts(
        await assertionRequest('cert-client', certificateAssertion(unknown.key, registered.cert)),
      );
      expect(forged).toMatchObject({ code: 700027 });
      expect(forged.text).toMatch(/^AADSTS700027: Client assertion failed signature validation\./);
      const otherAudience = await aadsts(
        await assertionRequest(
          'cert-client',
          certificateAssertion(registered.key, registered.cert, { aud: 'https://graph.microsoft.com' }),
        ),
      );
      expect(otherAudience).toMatchObject({ code: 700027 });
      expect(otherAudience.text).toContain("The audience 'https://graph.microsoft.com' is not valid");
      const expired = await aadsts(
        await assertionRequest(
          'cert-client',
          certificateAssertion(registered.key, registered.cert, { nbf: now() - 3600, exp: now() - 1200 }),
        ),
      );
      expect(expired).toMatchObject({ status: 401, error: 'invalid_client', code: 700024 });
      expect(expired.text).toMatch(/^AADSTS700024: Client assertion is not within its valid time range\./);
    });

    test("a managed identity's token: issuer, audience and subject must match a federated credential", async () => {
      const identity = { clientId: 'mi-client', principalId: '2b7f1c9e-0d4a-4e55-9a61-3c8d2e1f4a70' };
      const issuer = `https://login.microsoftonline.com/${fake.tenantId}/v2.0`;
      const fic = (change: Partial<{ issuer: string; subject: string; audiences: string[] }>) =>
        fake.control.registerApp({
          clientId: 'fic-client',
          roles: SANDBOX_APP.roles,
          federatedCredentials: [
            { issuer, subject: identity.principalId, audiences: ['api://AzureADTokenExchange'], ...change },
          ],
        });
      const miToken = () =>
        fake.services.identity.managedIdentityToken(identity, 'api://AzureADTokenExchange').token;
      const claims = JSON.parse(Buffer.from(miToken().split('.')[1], 'base64url').toString()) as Record<
        string,
        unknown
      >;
      expect(claims).toMatchObject({
        aud: 'fb60f99c-7a34-4190-8149-302f77469936',
        iss: issuer,
        sub: identity.principalId,
        oid: identity.principalId,
        azp: identity.clientId,
        tid: fake.tenantId,
      });

      fic({});
      expect((await assertionRequest('fic-client', miToken())).status).toBe(200);
      fic({ issuer: 'https://login.microsoftonline.com/another-tenant/v2.0' });
      expect(await aadsts(await assertionRequest('fic-client', miToken()))).toMatchObject({ code: 700211 });
      fic({ audiences: ['api://AzureADTokenExchangeChina'] });
      expect(await aadsts(await assertionRequest('fic-client', miToken()))).toMatchObject({ code: 700212 });
      fic({ subject: identity.principalId.toUpperCase() });
      const subject = await aadsts(await assertionRequest('fic-client', miToken()));
      expect(subject).toMatchObject({ status: 400, error: 'invalid_client', code: 700213 });
      expect(subject.text).toContain(`presented assertion subject '${identity.principalId}'`);

      fic({});
      const token = miToken();
      const [header, body] = token.split('.');
      const notIssuedHere = `${header}.${body}.${Buffer.from('forged').toString('base64url')}`;
      expect(await aadsts(await assertionRequest('fic-client', notIssuedHere))).toMatchObject({
        code: 50027,
      });
      clock.advance(2 * 86_400_000);
      expect(await aadsts(await assertionRequest('fic-client', token))).toMatchObject({ code: 700024 });
    });

    test('the assertion parameters are checked before anything else', async () => {
      fake.control.registerApp({ clientId: 'fic-client', roles: SANDBOX_APP.roles });
      const missingType = await aadsts(
        await tokenRequest('sandbox-tenant', { ...good, client_id: 'fic-client', client_assertion: 'a.b.c' }),
      );
      expect(missingType).toMatchObject({ status: 400, error: 'invalid_request', code: 900144 });
      expect(missingType.text).toMatch(/'client_assertion_type'/);
      expect(await aadsts(await assertionRequest('fic-client', 'a.b.c', 'urn:other'))).toMatchObject({
        code: 50027,
      });
      expect(await aadsts(await assertionRequest('fic-client', 'not a jwt'))).toMatchObject({ code: 50027 });
      const noCredential = await aadsts(
        await assertionRequest(
          'fic-client',
          fake.services.identity.managedIdentityToken(
            { clientId: 'x', principalId: 'y' },
            'api://AzureADTokenExchange',
          ).token,
        ),
      );
      expect(noCredential).toMatchObject({ status: 400, error: 'invalid_request', code: 70021 });
    });
  });
});
