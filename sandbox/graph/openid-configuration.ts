import type { ServerResponse } from 'node:http';
import type { FakeGraphServices } from './context';
import { sendAadError } from './graph-errors';
import { sendJson } from './http-util';

/**
 * The tenant's OpenID Connect discovery document, GET /{tenant}/v2.0/.well-known/openid-configuration, which msal
 * reads before its first token request to an authority it has no built-in endpoints for (any host other than
 * Entra's own). Fields and their order as login.microsoftonline.com serves them for a tenant; the tenant is named by
 * its id whatever name the request used, and the endpoints are this fake's.
 */

const PATH = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/;

/** Answers the discovery request and returns true, or returns false for any other request. */
export function serveOpenIdConfiguration(s: FakeGraphServices, url: URL, res: ServerResponse): boolean {
  const match = PATH.exec(url.pathname);
  if (!match) return false;
  const tenant = decodeURIComponent(match[1]);
  if (!s.identity.knowsTenant(tenant)) {
    sendAadError(
      res,
      {
        status: 400,
        error: 'invalid_tenant',
        aadsts: 90002,
        description: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      },
      s.clock.now(),
    );
    return true;
  }
  const origin = s.origin();
  const base = `${origin}/${s.identity.tenantId}`;
  const headers = { 'cache-control': 'max-age=86400, private', 'access-control-allow-origin': '*' };
  sendJson(
    res,
    200,
    {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'cloud_instance_name',
        'cloud_instance_host_name',
        'cloud_graph_host_name',
        'msgraph_host',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'acr',
        'nonce',
        'preferred_username',
        'name',
        'tid',
        'ver',
        'at_hash',
        'c_hash',
        'email',
      ],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'AS',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: new URL(origin).host,
      rbac_url: 'https://pas.windows.net',
    },
    headers,
  );
  return true;
}
