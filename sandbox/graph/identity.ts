import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';
import {
  checkClientAssertion,
  TOKEN_EXCHANGE_APP_ID,
  TOKEN_EXCHANGE_AUDIENCE,
  type FederatedCredential,
} from './client-assertion';
import type { AadError } from './graph-errors';
import { newGuid } from './ids';

/**
 * The Microsoft identity platform's client-credentials grant, as far as an app-only daemon sees it: app
 * registrations with their credentials (a secret, certificates, federated credentials trusting a managed identity)
 * and consented application permissions (roles), and access tokens that expire. It also issues the tokens of
 * managed identities in its tenant, which a federated credential can then accept as client assertions.
 */

export interface AppRegistration {
  clientId: string;
  clientSecret?: string;
  /** PEM certificates uploaded to the registration (their public part). */
  certificates?: string[];
  /** Federated identity credentials, e.g. one trusting a user-assigned managed identity. */
  federatedCredentials?: FederatedCredential[];
  /** Application permissions the tenant admin consented to ("Calendars.ReadWrite", "User.Read.All", ...). */
  roles: string[];
  /** Service principal object id; becomes creatorId on subscriptions. */
  servicePrincipalId?: string;
}

export interface IssuedToken {
  token: string;
  clientId: string;
  roles: string[];
  expiresAt: number;
  servicePrincipalId: string;
}

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

export type TokenResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: AadError };

export type TokenCheck = { ok: true; token: IssuedToken } | { ok: false; message: string };

export class IdentityService {
  private readonly apps = new Map<string, AppRegistration & { servicePrincipalId: string }>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly signingKey = randomBytes(32);
  tokenLifetimeSeconds: number;
  tokenRequests = 0;

  constructor(
    private readonly clock: Clock,
    readonly tenantId: string,
    readonly tenantAliases: string[],
    tokenLifetimeSeconds: number,
  ) {
    this.tokenLifetimeSeconds = tokenLifetimeSeconds;
  }

  registerApp(app: AppRegistration): void {
    this.apps.set(app.clientId, { ...app, servicePrincipalId: app.servicePrincipalId ?? newGuid() });
  }

  knowsTenant(tenant: string): boolean {
    return tenant === this.tenantId || this.tenantAliases.includes(tenant);
  }

  issue(tenant: string, form: URLSearchParams): TokenResult {
    this.tokenRequests++;
    const fail = (status: number, error: string, aadsts: number, description: string): TokenResult => ({
      ok: false,
      error: { status, error, aadsts, description },
    });
    if (!this.knowsTenant(tenant)) {
      return fail(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    const grantType = form.get('grant_type');
    if (!grantType)
      return fail(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    if (grantType !== 'client_credentials') {
      return fail(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      );
    }
    const clientId = form.get('client_id');
    if (!clientId)
      return fail(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
    const app = this.apps.get(clientId);
    if (!app) {
      return fail(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const assertionType = form.get('client_assertion_type');
    const assertion = form.get('client_assertion');
    const secret = form.get('client_secret');
    if (assertionType !== null || assertion !== null) {
      const problem = checkClientAssertion(assertionType, assertion, {
        clientId,
        tenant,
        tenantNames: [this.tenantId, ...this.tenantAliases],
        certificates: app.certificates ?? [],
        federatedCredentials: app.federatedCredentials ?? [],
        nowMs: this.clock.now(),
        issuedHere: (jwt) => this.signedHere(jwt),
      });
      if (problem) return fail(problem.status, problem.error, problem.aadsts, problem.description);
    } else if (!secret) {
      return fail(
        401,
        'invalid_client',
        7000216,
        "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
      );
    } else if (secret !== app.clientSecret) {
      return fail(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    const scope = form.get('scope');
    if (!scope)
      return fail(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'scope'.",
      );
    if (scope !== GRAPH_DEFAULT_SCOPE) {
      return fail(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const now = this.clock.now();
    const expiresAt = now + this.tokenLifetimeSeconds * 1000;
    const token = this.jwt({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: Math.floor(now / 1000),
      nbf: Math.floor(now / 1000),
      exp: Math.floor(expiresAt / 1000),
      appid: clientId,
      idtyp: 'app',
      oid: app.servicePrincipalId,
      roles: app.roles,
      tid: this.tenantId,
      uti: randomBytes(12).toString('base64url'),
    });
    this.tokens.set(token, {
      token,
      clientId,
      roles: app.roles,
      expiresAt,
      servicePrincipalId: app.servicePrincipalId,
    });
    return {
      ok: true,
      body: {
        token_type: 'Bearer',
        expires_in: this.tokenLifetimeSeconds,
        ext_expires_in: this.tokenLifetimeSeconds,
        access_token: token,
      },
    };
  }

  check(authorization: string | undefined): TokenCheck {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match) return { ok: false, message: 'Access token is empty.' };
    const issued = this.tokens.get(match[1].trim());
    if (!issued) return { ok: false, message: 'Access token validation failure. Invalid audience.' };
    if (this.clock.now() >= issued.expiresAt) {
      return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    }
    return { ok: true, token: issued };
  }

  /**
   * A token of a managed identity in this tenant, as its endpoint (IMDS, App Service) hands it out: for
   * api://AzureADTokenExchange it carries the Token Exchange application id as aud, and the tenant's v2.0 issuer.
   */
  managedIdentityToken(
    identity: { principalId: string; clientId: string },
    resource: string,
    lifetimeSeconds = 86_400,
  ): { token: string; expiresOn: number } {
    const now = Math.floor(this.clock.now() / 1000);
    const audience = resource.replace(/\/\.default$/, '');
    const token = this.jwt({
      aud: audience === TOKEN_EXCHANGE_AUDIENCE ? TOKEN_EXCHANGE_APP_ID : audience,
      iss: `https://login.microsoftonline.com/${this.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      azp: identity.clientId,
      azpacr: '2',
      idtyp: 'app',
      oid: identity.principalId,
      sub: identity.principalId,
      tid: this.tenantId,
      ver: '2.0',
    });
    return { token, expiresOn: now + lifetimeSeconds };
  }

  /** Makes every token issued so far invalid (e.g. consent revoked, or to test the client's 401 handling). */
  revokeAll(): void {
    this.tokens.clear();
  }

  private signedHere(jwt: string): boolean {
    const [header, body, signature] = jwt.split('.');
    const expected = createHmac('sha256', this.signingKey).update(`${header}.${body}`).digest();
    const given = Buffer.from(signature ?? '', 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private jwt(payload: Record<string, unknown>): string {
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: 'sandbox' })).toString(
      'base64url',
    );
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const signature = createHmac('sha256', this.signingKey).update(`${header}.${body}`).digest('base64url');
    return `${header}.${body}.${signature}`;
  }
}
