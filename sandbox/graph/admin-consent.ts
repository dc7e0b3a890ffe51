import type { ServerResponse } from 'node:http';
import type { FakeGraphServices } from './context';
import { sendEmpty, sendJson } from './http-util';

/**
 * The admin-consent endpoint of the Microsoft identity platform, GET /{tenant}/v2.0/adminconsent
 * (learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent). The real one signs an administrator in and
 * shows the consent screen; this fake skips both and answers as if the administrator had accepted, or declined
 * when told to:
 *
 *   success  302 {redirect_uri}?admin_consent=True&tenant={tenant id}&scope={scope}&state={state}
 *   declined 302 {redirect_uri}?error=access_denied&error_description=…&state={state}
 *
 * A request Entra cannot send back (unknown tenant, no client_id or redirect_uri, a redirect URI the registration
 * does not list) gets an error page and no redirect, as on Entra. Deviations: any client_id is accepted, and any
 * http(s) redirect URI unless the control lists the registered ones.
 *
 * Control (not part of Entra): POST /_control/admin-consent {deny?: true | "description", redirectUris?: [...]};
 * DELETE /_control/admin-consent resets; GET /_control/admin-consent lists the consents granted.
 */

export interface AdminConsentControl {
  /** Decline every request until reset; a string replaces the default error_description. */
  deny?: true | string;
  /** Redirect URIs registered on the app registration; unset accepts any http(s) URI. */
  redirectUris?: string[];
  granted: Array<{ tenant: string; clientId: string; scope: string }>;
}

const PATH = /^\/([^/]+)\/v2\.0\/adminconsent$/;
const CONTROL_PATH = '/_control/admin-consent';
const DECLINED = 'AADSTS65004: User declined to consent to access the app.';

const controls = new WeakMap<FakeGraphServices, AdminConsentControl>();

export function adminConsentControl(s: FakeGraphServices): AdminConsentControl {
  let control = controls.get(s);
  if (!control) {
    control = { granted: [] };
    controls.set(s, control);
  }
  return control;
}

/** Answers the admin-consent request or its control and returns true; returns false for any other request. */
export function serveAdminConsent(
  s: FakeGraphServices,
  method: string,
  url: URL,
  raw: string,
  res: ServerResponse,
): boolean {
  if (url.pathname === CONTROL_PATH) {
    serveControl(adminConsentControl(s), method, raw, res);
    return true;
  }
  const match = PATH.exec(url.pathname);
  if (!match || method !== 'GET') return false;
  const control = adminConsentControl(s);
  const tenant = decodeURIComponent(match[1]);
  const q = url.searchParams;
  if (!s.identity.knowsTenant(tenant)) {
    errorPage(
      res,
      `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
    return true;
  }
  const clientId = q.get('client_id');
  if (!clientId) {
    errorPage(res, "AADSTS900144: The request body must contain the following parameter: 'client_id'.");
    return true;
  }
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) {
    errorPage(res, "AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.");
    return true;
  }
  if (!isHttpUrl(redirectUri) || (control.redirectUris && !control.redirectUris.includes(redirectUri))) {
    errorPage(
      res,
      `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
    );
    return true;
  }
  const state = q.get('state');
  const scope = q.get('scope');
  const back = new URL(redirectUri);
  const answer = (params: Array<[string, string | null]>) => {
    for (const [name, value] of params) if (value !== null) back.searchParams.append(name, value);
    res.writeHead(302, { location: back.toString(), 'cache-control': 'no-store' });
    res.end();
  };
  if (!scope) {
    answer([
      ['error', 'invalid_request'],
      ['error_description', "AADSTS900144: The request body must contain the following parameter: 'scope'."],
      ['state', state],
    ]);
    return true;
  }
  if (control.deny) {
    answer([
      ['error', 'access_denied'],
      ['error_description', control.deny === true ? DECLINED : control.deny],
      ['state', state],
    ]);
    return true;
  }
  control.granted.push({ tenant: s.identity.tenantId, clientId, scope });
  // Entra names the tenant by its id, whatever name the request used.
  answer([
    ['admin_consent', 'True'],
    ['tenant', s.identity.tenantId],
    ['scope', scope],
    ['state', state],
  ]);
  return true;
}

function serveControl(control: AdminConsentControl, method: string, raw: string, res: ServerResponse): void {
  if (method === 'GET') return sendJson(res, 200, { granted: control.granted });
  if (method === 'DELETE') {
    delete control.deny;
    delete control.redirectUris;
    control.granted.length = 0;
    return sendEmpty(res, 204);
  }
  if (method !== 'POST') return sendJson(res, 405, { error: 'GET, POST or DELETE' });
  let input: { deny?: unknown; redirectUris?: unknown };
  try {
    input = raw ? (JSON.parse(raw) as typeof input) : {};
  } catch {
    return sendJson(res, 400, { error: 'body must be JSON' });
  }
  if (input.deny === true || (typeof input.deny === 'string' && input.deny)) control.deny = input.deny;
  else if (input.deny === false) delete control.deny;
  if (Array.isArray(input.redirectUris)) control.redirectUris = input.redirectUris.map(String);
  return sendJson(res, 200, { deny: control.deny ?? false, redirectUris: control.redirectUris ?? null });
}

function errorPage(res: ServerResponse, message: string): void {
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html><head><title>Sign in</title></head><body><p>${escaped}</p></body></html>`);
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
