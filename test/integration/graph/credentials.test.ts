import type { AccessToken, TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import {
  createGraphConnector,
  type GraphConnector,
  type GraphConnectorOptions,
  type GraphSettings,
} from '../../../shared/connectors/graph';
import { createLogger, type Logger } from '../../../shared/platform/logger';
import { PermanentRemoteError } from '../../../shared/sync/types';
import { SANDBOX_APP, startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { startFakeKeyVault, type FakeKeyVault } from '../../../sandbox/keyvault/fake-key-vault';
import { clientCertificate } from '../../support/graph/client-certificate';
import {
  startFakeManagedIdentity,
  type FakeManagedIdentity,
} from '../../support/graph/fake-managed-identity';
import { failureOf } from '../../support/graph/loose';

/**
 * The three Graph credentials end to end, through the real @azure/msal-node against the fake identity platform:
 * discovery, the token request with a secret, a certificate-signed assertion or a managed identity's token, then
 * Graph calls with the token. The fake runs on the system clock: msal dates its certificate assertions by it.
 */

const SYNC = {
  conflictPolicy: 'newest-wins' as const,
  deletePolicy: 'propagate' as const,
  bulkDeleteMaxShare: 0.2,
  dryRun: false,
  calendarWindowPastDays: 30,
  calendarWindowFutureDays: 365,
};
const VAULT_TOKEN = 'sandbox-key-vault-token';

let fake: FakeGraph;
let lines: string[];
let logger: Logger;

beforeEach(async () => {
  fake = await startFakeGraph({});
  fake.control.addUser({ userPrincipalName: 'li.wei@contoso.example', displayName: 'Li Wei' });
  lines = [];
  logger = createLogger({ level: 'debug', sink: (_level, line) => lines.push(line) });
});
afterEach(() => fake.stop());

function connect(
  graph: Omit<GraphSettings, 'tenantId' | 'authorityHost' | 'baseUrl'>,
  extra: Pick<Parameters<typeof createGraphConnector>[0], 'keyVaultUrl' | 'storage'> = {},
  tokens: NonNullable<GraphConnectorOptions['tokens']> = {},
): GraphConnector {
  return createGraphConnector(
    {
      ...extra,
      graph: { tenantId: 'sandbox-tenant', authorityHost: fake.url, baseUrl: fake.url, ...graph },
      sync: SYNC,
    },
    { logger, tokens, retryHooks: { sleep: async () => undefined } },
  );
}

/** Whatever the app logs, these values never appear: the registry masks them once the provider has seen them. */
function expectNoneLogged(values: string[]): void {
  for (const value of values) {
    logger.info(`about to use ${value}`, { detail: value });
    expect(value.length).toBeGreaterThanOrEqual(8);
  }
  expect(lines.length).toBeGreaterThanOrEqual(values.length);
  for (const line of lines) for (const value of values) expect(line).not.toContain(value);
}

describe('the fake identity platform serves what msal reads first', () => {
  test('the OpenID configuration of the tenant, under any of its names', async () => {
    for (const tenant of ['sandbox-tenant', fake.tenantId]) {
      const res = await fetch(`${fake.url}/${tenant}/v2.0/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('max-age=86400, private');
      const doc = (await res.json()) as Record<string, unknown>;
      expect(doc).toMatchObject({
        token_endpoint: `${fake.url}/${fake.tenantId}/oauth2/v2.0/token`,
        issuer: `${fake.url}/${fake.tenantId}/v2.0`,
        authorization_endpoint: `${fake.url}/${fake.tenantId}/oauth2/v2.0/authorize`,
        jwks_uri: `${fake.url}/${fake.tenantId}/discovery/v2.0/keys`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        cloud_instance_name: 'microsoftonline.com',
      });
      expect(Object.keys(doc)).toEqual([
        'token_endpoint',
        'token_endpoint_auth_methods_supported',
        'jwks_uri',
        'response_modes_supported',
        'subject_types_supported',
        'id_token_signing_alg_values_supported',
        'response_types_supported',
        'scopes_supported',
        'issuer',
        'request_uri_parameter_supported',
        'userinfo_endpoint',
        'authorization_endpoint',
        'device_authorization_endpoint',
        'http_logout_supported',
        'frontchannel_logout_supported',
        'end_session_endpoint',
        'claims_supported',
        'kerberos_endpoint',
        'tenant_region_scope',
        'cloud_instance_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'rbac_url',
      ]);
    }
    const unknown = await fetch(`${fake.url}/other-tenant/v2.0/.well-known/openid-configuration`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });
});

describe('secret', () => {
  test('signs in with the client secret; one token request serves many calls', async () => {
    const graph = connect({ clientId: 'sandbox-client', clientSecret: 'sandbox-graph-secret' });
    expect(graph.tokenProvider.mode).toBe('secret');
    for (let i = 0; i < 5; i++) expect(await graph.users.get('li.wei@contoso.example')).toBeDefined();
    await Promise.all(Array.from({ length: 5 }, () => graph.users.listAll()));
    expect(fake.control.tokenRequests()).toBe(1);
    expectNoneLogged(['sandbox-graph-secret', await graph.tokenProvider.getAccessToken()]);
  });

  test('a rejected secret is a permanent error that names the problem and not the secret', async () => {
    const graph = connect({ clientId: 'sandbox-client', clientSecret: 'wrong-secret-value' });
    const err = await failureOf(graph.tokenProvider.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.message).toMatch(
      /^token request refused \(invalid_client: AADSTS7000215: Invalid client secret provided/,
    );
    expect(err.message).not.toContain('wrong-secret-value');
    logger.error('graph sign-in failed', { err });
    expectNoneLogged(['wrong-secret-value']);
  });
});

describe('certificate', () => {
  let vault: FakeKeyVault;
  const vaultCredential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({
      token: VAULT_TOKEN,
      expiresOnTimestamp: Date.now() + 3600_000,
    }),
  };
  const vaultOptions = {
    allowInsecureConnection: true,
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 0 },
  };
  const keyVault = () => ({ url: vault.url, credential: vaultCredential, options: vaultOptions });
  const store = (name: string, pem: string) =>
    new SecretClient(vault.url, vaultCredential, vaultOptions).setSecret(name, pem, {
      contentType: 'application/x-pem-file',
    });

  beforeEach(async () => {
    vault = await startFakeKeyVault({ acceptedTokens: [VAULT_TOKEN] });
  });
  afterEach(() => vault.stop());

  test('signs the assertion with the Key Vault certificate registered on the app; one token request', async () => {
    const certificate = await clientCertificate();
    fake.control.registerApp({
      clientId: 'cert-client',
      certificates: [certificate.cert],
      roles: SANDBOX_APP.roles,
    });
    await store('graph-cert', certificate.pem);
    const graph = connect(
      { clientId: 'cert-client', credential: 'certificate', certificateName: 'graph-cert' },
      { keyVaultUrl: vault.url },
      { keyVault: keyVault() },
    );
    expect(graph.tokenProvider.mode).toBe('certificate');
    for (let i = 0; i < 3; i++) expect(await graph.users.listAll()).toHaveLength(1);
    expect(fake.control.tokenRequests()).toBe(1);
    expect(
      vault.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/secrets/graph-cert')),
    ).not.toHaveLength(0);
    const keyLine = certificate.key.split('\n')[1];
    expectNoneLogged([certificate.pem, await graph.tokenProvider.getAccessToken()]);
    for (const line of lines) expect(line).not.toContain(keyLine);
  });

  test('a certificate the app registration does not know is refused plainly; a renewed one is read again', async () => {
    const registered = await clientCertificate();
    const stale = await clientCertificate();
    fake.control.registerApp({
      clientId: 'cert-client',
      certificates: [registered.cert],
      roles: SANDBOX_APP.roles,
    });
    await store('graph-cert', stale.pem);
    const graph = connect(
      { clientId: 'cert-client', credential: 'certificate', certificateName: 'graph-cert' },
      { keyVaultUrl: vault.url },
      { keyVault: keyVault() },
    );
    const err = await failureOf(graph.tokenProvider.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.message).toMatch(
      /^token request refused \(invalid_client: AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application\./,
    );
    await store('graph-cert', registered.pem);
    expect(await graph.tokenProvider.getAccessToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  test('a missing certificate, or one stored as PKCS#12, says what to do in Key Vault', async () => {
    const graph = connect(
      { clientId: 'cert-client', credential: 'certificate', certificateName: 'graph-cert' },
      { keyVaultUrl: vault.url },
      { keyVault: keyVault() },
    );
    const missing = await failureOf(graph.tokenProvider.getAccessToken());
    expect(missing).toBeInstanceOf(PermanentRemoteError);
    expect(missing.message).toMatch(
      /^the certificate "graph-cert" \(GRAPH_CERTIFICATE_NAME\) does not exist in Key Vault/,
    );
    await new SecretClient(vault.url, vaultCredential, vaultOptions).setSecret(
      'graph-cert',
      Buffer.from('PKCS#12 bytes').toString('base64'),
      { contentType: 'application/x-pkcs12' },
    );
    const pkcs12 = await failureOf(graph.tokenProvider.getAccessToken());
    expect(pkcs12.message).toMatch(/content type PEM \(application\/x-pem-file\)/);
    expect(fake.control.tokenRequests()).toBe(0);
  });
});

describe('managed identity (no secret at all)', () => {
  let mi: FakeManagedIdentity;
  let identity: { clientId: string; principalId: string };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    mi = await startFakeManagedIdentity(() => fake.services.identity);
    // What App Service / Functions sets for the app; @azure/identity reads it on its first token request.
    for (const [name, value] of Object.entries(mi.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await mi.stop();
  });
  beforeEach(() => {
    identity = mi.addIdentity();
    mi.requests.length = 0;
  });

  const trust = (clientId: string, subject: string) =>
    fake.control.registerApp({
      clientId,
      roles: SANDBOX_APP.roles,
      federatedCredentials: [
        {
          issuer: `https://login.microsoftonline.com/${fake.tenantId}/v2.0`,
          subject,
          audiences: ['api://AzureADTokenExchange'],
        },
      ],
    });

  test("the app registration's federated credential trusts the identity; its token is the assertion", async () => {
    trust('fic-client', identity.principalId);
    // No secret and no GRAPH_CREDENTIAL: the default is the managed identity.
    const graph = connect(
      { clientId: 'fic-client' },
      { storage: { managedIdentityClientId: identity.clientId } },
    );
    expect(graph.tokenProvider.mode).toBe('managed-identity');
    for (let i = 0; i < 3; i++) expect(await graph.users.listAll()).toHaveLength(1);
    expect(fake.control.tokenRequests()).toBe(1);
    expect(mi.requests).toEqual([
      { resource: 'api://AzureADTokenExchange', clientId: identity.clientId, apiVersion: '2019-08-01' },
    ]);
    expectNoneLogged([...mi.issued, await graph.tokenProvider.getAccessToken()]);
  });

  test('a federated credential for another identity is refused plainly, without the token in the message', async () => {
    trust('fic-client', '00000000-1111-4222-8333-444444444444');
    const graph = connect(
      { clientId: 'fic-client' },
      { storage: { managedIdentityClientId: identity.clientId } },
    );
    const err = await failureOf(graph.tokenProvider.getAccessToken());
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.message).toBe(
      'token request refused (invalid_client: AADSTS700213: No matching federated identity record found for ' +
        `presented assertion subject '${identity.principalId}'. Please check your federated identity credential ` +
        'Subject, Audience and Issuer against the presented assertion. ' +
        'https://learn.microsoft.com/entra/workload-id/workload-identity-federation)',
    );
    expect(mi.issued.length).toBeGreaterThan(0);
    for (const token of mi.issued) expect(err.message).not.toContain(token);
  });
});
