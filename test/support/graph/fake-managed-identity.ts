import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IdentityService } from '../../../sandbox/graph/identity';

/**
 * The managed identity endpoint App Service and Functions give an app (IDENTITY_ENDPOINT, with the secret
 * IDENTITY_HEADER sent back as X-IDENTITY-HEADER; api-version 2019-08-01, resource and client_id in the query:
 * learn.microsoft.com/azure/app-service/overview-managed-identity, "REST endpoint reference"). Its tokens come from
 * the fake identity platform, for the user-assigned identities added to it. @azure/identity keeps the endpoint it
 * found, and tokens, per process: start one for a test file, and give each test an identity of its own.
 */

export interface FakeManagedIdentity {
  /** IDENTITY_ENDPOINT and IDENTITY_HEADER for the app. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** A new user-assigned identity assigned to the app. */
  addIdentity(): { clientId: string; principalId: string };
  requests: { resource: string | null; clientId: string | null; apiVersion: string | null }[];
  /** Tokens handed out, so tests can look for them in log lines. */
  issued: string[];
  stop(): Promise<void>;
}

export async function startFakeManagedIdentity(
  platform: () => IdentityService,
): Promise<FakeManagedIdentity> {
  const identities = new Map<string, string>();
  const header = randomUUID();
  const requests: FakeManagedIdentity['requests'] = [];
  const issued: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = {
      resource: url.searchParams.get('resource'),
      clientId: url.searchParams.get('client_id'),
      apiVersion: url.searchParams.get('api-version'),
    };
    requests.push(query);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers['x-identity-header'] !== header) {
      return answer(401, { statusCode: 401, message: 'Unauthorized request' });
    }
    if (query.apiVersion !== '2019-08-01' || !query.resource) {
      return answer(400, { statusCode: 400, message: 'Bad request: resource and api-version are required' });
    }
    const principalId = identities.get(query.clientId ?? '');
    if (!principalId) {
      return answer(400, {
        statusCode: 400,
        message: `No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.`,
      });
    }
    const identity = { clientId: query.clientId!, principalId };
    const { token, expiresOn } = platform().managedIdentityToken(identity, query.resource);
    issued.push(token);
    answer(200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource: query.resource,
      token_type: 'Bearer',
      client_id: identity.clientId,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: header },
    addIdentity: () => {
      const identity = { clientId: randomUUID(), principalId: randomUUID() };
      identities.set(identity.clientId, identity.principalId);
      return identity;
    },
    requests,
    issued,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
