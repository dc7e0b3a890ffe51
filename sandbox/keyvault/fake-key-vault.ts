import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Key Vault secrets endpoint on node:http, speaking the REST surface @azure/keyvault-secrets uses
 * (as the SDK uses it), since no Key Vault emulator can be installed from npm or Debian:
 *
 * - Every request without a bearer token gets the real challenge: 401 with
 *   WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net".
 *   The SDK sends its first request that way (body stripped), fetches a token for the resource and replays it.
 * - A bearer token the vault does not accept gets 401 as well.
 * - api-version is required on every request (400 BadParameter without it).
 * - PUT /secrets/{name}, GET /secrets/{name}[/{version}], GET /secrets/{name}/versions, GET /secrets.
 * - Secret names must match ^[0-9a-zA-Z-]{1,127}$ (400 BadParameter), a miss is 404 SecretNotFound.
 *
 * Times are Unix seconds, as the service sends them. Deletion (a long-running operation) is not implemented.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  authorization: string | undefined;
  bodyBytes: number;
  status: number;
}

export interface FakeKeyVault {
  /** Vault URL to give SecretClient (with allowInsecureConnection and disableChallengeResourceVerification). */
  url: string;
  tenantId: string;
  /** Every request in arrival order, challenge requests included. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export interface FakeKeyVaultOptions {
  port?: number;
  tenantId?: string;
  /** Bearer tokens the vault accepts; any other token is refused. */
  acceptedTokens?: string[];
}

interface SecretVersion {
  version: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
  attributes: { enabled: boolean; created: number; updated: number; exp?: number; nbf?: number };
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VAULT_RESOURCE = 'https://vault.azure.net';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly inner?: string,
  ) {
    super(message);
  }
}

export async function startFakeKeyVault(options: FakeKeyVaultOptions = {}): Promise<FakeKeyVault> {
  const tenantId = options.tenantId ?? 'sandbox-tenant';
  const accepted = new Set(options.acceptedTokens ?? ['sandbox-key-vault-token']);
  const secrets = new Map<string, SecretVersion[]>();
  const requests: RecordedRequest[] = [];
  let baseUrl = '';

  const challenge = {
    'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="${VAULT_RESOURCE}"`,
  };

  function authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (!header || !/^Bearer\s+\S/i.test(header)) {
      throw new HttpError(
        401,
        'Unauthorized',
        'AKV10000: Request is missing a Bearer or PoP token.',
        challenge,
      );
    }
    if (!accepted.has(header.replace(/^Bearer\s+/i, ''))) {
      throw new HttpError(401, 'Unauthorized', 'The access token is not valid for this vault.', challenge);
    }
  }

  function route(req: IncomingMessage, url: URL, body: string): { status: number; json: unknown } {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'secrets' || parts.length > 3)
      throw new HttpError(404, 'NotFound', `No route for ${url.pathname}`);
    if (parts.length === 1) {
      if (req.method !== 'GET')
        throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed here`);
      return {
        status: 200,
        json: {
          value: [...secrets.keys()].map((name) => listItem(name, latest(name)!, false)),
          nextLink: null,
        },
      };
    }
    const name = parts[1];
    if (!SECRET_NAME.test(name))
      throw new HttpError(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
    if (parts.length === 2 && req.method === 'PUT')
      return { status: 200, json: bundle(name, setSecret(name, body)) };
    if (req.method !== 'GET')
      throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed here`);
    if (parts[2] === 'versions') {
      return {
        status: 200,
        json: { value: versionsOf(name).map((v) => listItem(name, v, true)), nextLink: null },
      };
    }
    const version = parts[2] ? versionsOf(name).find((v) => v.version === parts[2]) : latest(name);
    if (!version) throw notFound(parts[2] ? `${name}/${parts[2]}` : name);
    if (!version.attributes.enabled) {
      throw new HttpError(
        403,
        'Forbidden',
        'Operation get is not allowed on a disabled secret.',
        {},
        'SecretDisabled',
      );
    }
    return { status: 200, json: bundle(name, version) };
  }

  function setSecret(name: string, body: string): SecretVersion {
    let parsed: {
      value?: unknown;
      contentType?: string;
      tags?: Record<string, string>;
      attributes?: Record<string, unknown>;
    };
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new HttpError(400, 'BadParameter', 'The request body is not valid JSON.');
    }
    if (typeof parsed.value !== 'string')
      throw new HttpError(400, 'BadParameter', 'Property value is required.');
    const now = Math.floor(Date.now() / 1000);
    const attributes = parsed.attributes ?? {};
    const version: SecretVersion = {
      version: randomUUID().replace(/-/g, ''),
      value: parsed.value,
      contentType: parsed.contentType,
      tags: parsed.tags,
      attributes: {
        enabled: attributes.enabled !== false,
        created: now,
        updated: now,
        exp: typeof attributes.exp === 'number' ? attributes.exp : undefined,
        nbf: typeof attributes.nbf === 'number' ? attributes.nbf : undefined,
      },
    };
    secrets.set(name, [...versionsOf(name), version]);
    return version;
  }

  const versionsOf = (name: string) => secrets.get(name) ?? [];
  const latest = (name: string) => versionsOf(name).at(-1);
  const notFound = (id: string) =>
    new HttpError(
      404,
      'SecretNotFound',
      `A secret with (name/id) ${id} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`,
    );

  const attributesOf = (v: SecretVersion) => ({
    ...v.attributes,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
  });
  const bundle = (name: string, v: SecretVersion) => ({
    value: v.value,
    id: `${baseUrl}/secrets/${name}/${v.version}`,
    ...(v.contentType && { contentType: v.contentType }),
    ...(v.tags && { tags: v.tags }),
    attributes: attributesOf(v),
  });
  const listItem = (name: string, v: SecretVersion, withVersion: boolean) => ({
    id: withVersion ? `${baseUrl}/secrets/${name}/${v.version}` : `${baseUrl}/secrets/${name}`,
    ...(v.contentType && { contentType: v.contentType }),
    ...(v.tags && { tags: v.tags }),
    attributes: attributesOf(v),
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://vault');
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      apiVersion: url.searchParams.get('api-version'),
      authorization: req.headers.authorization,
      bodyBytes: Buffer.byteLength(body),
      status: 0,
    };
    requests.push(record);
    let status: number;
    let json: unknown;
    let headers: Record<string, string> = {};
    try {
      authenticate(req);
      if (!record.apiVersion)
        throw new HttpError(400, 'BadParameter', 'The api-version query parameter is required.');
      ({ status, json } = route(req, url, body));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      status = err.status;
      headers = err.headers;
      json = {
        error: {
          code: err.code,
          message: err.message,
          ...(err.inner && { innererror: { code: err.inner } }),
        },
      };
    }
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(json));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalError', message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    tenantId,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
