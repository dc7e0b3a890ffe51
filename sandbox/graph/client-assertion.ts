import { constants, createHash, verify, X509Certificate } from 'node:crypto';

/**
 * The identity platform's checks of a client assertion (RFC 7523 jwt-bearer), for the two kinds an app-only daemon
 * sends:
 *
 * - one it signed with a certificate uploaded to its app registration: iss = sub = client id, aud = the token
 *   endpoint, signed with the certificate's key, named by x5t#S256 (or the older x5t)
 *   (learn.microsoft.com/entra/identity-platform/certificate-credentials);
 * - a token of a managed identity that one of its federated identity credentials trusts: issuer, subject and audience
 *   must match one credential exactly (learn.microsoft.com/entra/workload-id/
 *   workload-identity-federation-config-app-trust-managed-identity).
 *
 * AADSTS numbers and texts follow those seen from Entra in public issue threads; which HTTP status goes with the
 * federated-credential ones is a best guess.
 */

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** What a federated credential trusting a managed identity names as its audience (public cloud). */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
/**
 * The aud a managed identity's token for api://AzureADTokenExchange carries: the application id of the "AAD Token
 * Exchange Endpoint", which Entra treats as the same audience.
 */
export const TOKEN_EXCHANGE_APP_ID = 'fb60f99c-7a34-4190-8149-302f77469936';
/** Clock skew the identity platform tolerates on nbf/exp. */
const SKEW_SECONDS = 300;

export interface FederatedCredential {
  /** e.g. https://login.microsoftonline.com/{tenant id}/v2.0 */
  issuer: string;
  /** The managed identity's object (principal) id; compared case-sensitively. */
  subject: string;
  audiences: string[];
}

export interface AssertionContext {
  clientId: string;
  /** The tenant as the token request's path named it, and every name the tenant answers to. */
  tenant: string;
  tenantNames: string[];
  /** PEM certificates uploaded to the app registration. */
  certificates: string[];
  federatedCredentials: FederatedCredential[];
  nowMs: number;
  /** Whether this identity platform issued the token (a managed identity's tokens come from it). */
  issuedHere(jwt: string): boolean;
}

export interface AssertionProblem {
  status: number;
  error: string;
  aadsts: number;
  description: string;
}

interface Jwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signed: string;
  signature: Buffer;
}

export function checkClientAssertion(
  assertionType: string | null,
  assertion: string | null,
  ctx: AssertionContext,
): AssertionProblem | undefined {
  const missing = (name: string): AssertionProblem => ({
    status: 400,
    error: 'invalid_request',
    aadsts: 900144,
    description: `The request body must contain the following parameter: '${name}'.`,
  });
  if (!assertionType) return missing('client_assertion_type');
  if (!assertion) return missing('client_assertion');
  const malformed: AssertionProblem = {
    status: 400,
    error: 'invalid_request',
    aadsts: 50027,
    description: 'JWT token is invalid or malformed.',
  };
  if (assertionType !== JWT_BEARER) return malformed;
  const jwt = parseJwt(assertion);
  if (!jwt) return malformed;
  const { iss, sub } = jwt.claims;
  return iss === ctx.clientId && sub === ctx.clientId
    ? checkCertificateAssertion(jwt, ctx)
    : checkFederatedAssertion(jwt, assertion, ctx);
}

function checkCertificateAssertion(jwt: Jwt, ctx: AssertionContext): AssertionProblem | undefined {
  const x5tS256 = jwt.header['x5t#S256'];
  const x5t = jwt.header.x5t;
  const thumbprint = typeof x5tS256 === 'string' ? x5tS256 : typeof x5t === 'string' ? x5t : undefined;
  const algorithm = jwt.header.alg === 'PS256' || jwt.header.alg === 'RS256' ? jwt.header.alg : undefined;
  if (!thumbprint || !algorithm) {
    return {
      status: 400,
      error: 'invalid_request',
      aadsts: 50027,
      description: 'JWT token is invalid or malformed.',
    };
  }
  const digest = typeof x5tS256 === 'string' ? 'sha256' : 'sha1';
  const certificate = ctx.certificates
    .map((pem) => new X509Certificate(pem))
    .find((c) => createHash(digest).update(c.raw).digest('base64url') === thumbprint);
  if (!certificate) {
    const shown = Buffer.from(thumbprint, 'base64url').toString('hex').toUpperCase();
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700027,
      description:
        'The certificate with identifier used to sign the client assertion is not registered on application. ' +
        `[Reason - The key was not found., Thumbprint of key used by client: '${shown}', Please visit the Azure ` +
        `Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${ctx.clientId}'.]`,
    };
  }
  const signatureValid = verify(
    'sha256',
    Buffer.from(jwt.signed),
    algorithm === 'PS256'
      ? {
          key: certificate.publicKey,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_AUTO,
        }
      : certificate.publicKey,
    jwt.signature,
  );
  if (!signatureValid) {
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700027,
      description: 'Client assertion failed signature validation.',
    };
  }
  if (!isTokenEndpoint(jwt.claims.aud, ctx)) {
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700027,
      description: `Client assertion failed signature validation. [Reason - The audience '${String(jwt.claims.aud)}' is not valid.]`,
    };
  }
  if (Date.parse(certificate.validTo) <= ctx.nowMs) {
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700027,
      description:
        'The certificate with identifier used to sign the client assertion is expired on application.',
    };
  }
  return timeRangeProblem(jwt, ctx);
}

function checkFederatedAssertion(
  jwt: Jwt,
  assertion: string,
  ctx: AssertionContext,
): AssertionProblem | undefined {
  const { iss, sub, aud } = jwt.claims;
  const advice =
    'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ' +
    'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
  const noMatch = (aadsts: number, what: string, value: unknown): AssertionProblem => ({
    status: 400,
    error: 'invalid_client',
    aadsts,
    description: `No matching federated identity record found for presented assertion ${what} '${String(value)}'. ${advice}`,
  });
  if (ctx.federatedCredentials.length === 0) {
    return {
      status: 400,
      error: 'invalid_request',
      aadsts: 70021,
      description:
        'No matching federated identity record found for presented assertion. ' +
        `Assertion Issuer: '${String(iss)}'. Assertion Subject: '${String(sub)}'. Assertion Audience: '${String(aud)}'.`,
    };
  }
  const byIssuer = ctx.federatedCredentials.filter((f) => f.issuer === iss);
  if (byIssuer.length === 0) return noMatch(700211, 'issuer', iss);
  const byAudience = byIssuer.filter((f) => f.audiences.some((a) => sameAudience(a, aud)));
  if (byAudience.length === 0) return noMatch(700212, 'audience', aud);
  if (!byAudience.some((f) => f.subject === sub)) return noMatch(700213, 'subject', sub);
  if (!ctx.issuedHere(assertion)) {
    return {
      status: 400,
      error: 'invalid_request',
      aadsts: 50027,
      description: 'JWT token is invalid or malformed.',
    };
  }
  return timeRangeProblem(jwt, ctx);
}

function sameAudience(configured: string, presented: unknown): boolean {
  if (configured === presented) return true;
  return configured === TOKEN_EXCHANGE_AUDIENCE && presented === TOKEN_EXCHANGE_APP_ID;
}

/** aud of a certificate assertion: the v2.0 (or v1) token endpoint of this tenant. */
function isTokenEndpoint(aud: unknown, ctx: AssertionContext): boolean {
  if (typeof aud !== 'string') return false;
  let url: URL;
  try {
    url = new URL(aud);
  } catch {
    return false;
  }
  const match = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token$/.exec(url.pathname);
  return (
    url.protocol === 'https:' &&
    match !== null &&
    [ctx.tenant, ...ctx.tenantNames].includes(decodeURIComponent(match[1]))
  );
}

function timeRangeProblem(jwt: Jwt, ctx: AssertionContext): AssertionProblem | undefined {
  const now = Math.floor(ctx.nowMs / 1000);
  const exp = Number(jwt.claims.exp);
  const nbf = jwt.claims.nbf === undefined ? undefined : Number(jwt.claims.nbf);
  if (!Number.isFinite(exp) || exp + SKEW_SECONDS < now || (nbf !== undefined && nbf - SKEW_SECONDS > now)) {
    const at = (s: number | undefined) => (s === undefined || !Number.isFinite(s) ? 'unknown' : iso(s));
    return {
      status: 401,
      error: 'invalid_client',
      aadsts: 700024,
      description:
        `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ` +
        `${at(nbf)}, expiry time of assertion ${at(exp)}.`,
    };
  }
  return undefined;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '.0000000Z');
}

function parseJwt(text: string): Jwt | undefined {
  const parts = text.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(claims)) return undefined;
    return {
      header,
      claims,
      signed: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
