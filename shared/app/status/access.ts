import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../platform/config';
import { parseClientPrincipal, STATUS_ADMIN_ROLE } from './client-principal';

/**
 * Who may open the status page. In Azure: App Service Authentication with Entra sign-in, and the app role
 * Sync.Admin; the platform's `X-MS-CLIENT-PRINCIPAL` header is trusted only when the platform says its
 * authentication is on (WEBSITE_AUTH_ENABLED=True, which App Service sets), since without it anyone can send that
 * header. In the sandbox: STATUS_PAGE_KEY, sent as the `x-status-key` header, or once as `?key=` which is answered
 * with a session cookie and a redirect to the same address without the key (so it stays out of history and logs).
 * The cookie holds an HMAC of the key, never the key.
 */

export interface StatusRequest {
  method: string;
  url: string;
  header(name: string): string | null;
}

export type AccessPolicy = Pick<Config, 'mode'> & { statusPage: Config['statusPage'] };

export interface Admin {
  /** A name for the audit rows of actions. */
  who: string;
  via: 'entra' | 'key';
}

export type Access =
  | { kind: 'admin'; admin: Admin }
  /** `?key=` was right: set the cookie and send the browser to `location`. */
  | { kind: 'session'; location: string; cookie: string }
  | { kind: 'refused'; status: 401 | 403; why: 'sign-in' | 'role' | 'key' | 'auth-off' };

export const SESSION_COOKIE = 'status_session';
export const KEY_HEADER = 'x-status-key';
/** Where the cookie is sent: the status page's routes only. */
export const STATUS_PATH = '/api/status';
const SESSION_HOURS = 12;

export function checkAccess(request: StatusRequest, policy: AccessPolicy): Access {
  if (policy.mode === 'live') return entraAccess(request, policy.statusPage.easyAuthEnabled);
  return keyAccess(request, policy.statusPage.key);
}

function entraAccess(request: StatusRequest, easyAuthEnabled: boolean): Access {
  if (!easyAuthEnabled) return { kind: 'refused', status: 401, why: 'auth-off' };
  const principal = parseClientPrincipal(request.header('x-ms-client-principal'));
  if (!principal) return { kind: 'refused', status: 401, why: 'sign-in' };
  if (!principal.roles.includes(STATUS_ADMIN_ROLE)) return { kind: 'refused', status: 403, why: 'role' };
  return { kind: 'admin', admin: { who: principal.name || principal.id, via: 'entra' } };
}

function keyAccess(request: StatusRequest, key: string | undefined): Access {
  if (!key) return { kind: 'refused', status: 401, why: 'key' };
  const url = new URL(request.url);
  const given = url.searchParams.get('key');
  if (given !== null) {
    if (!sameSecret(given, key)) return { kind: 'refused', status: 401, why: 'key' };
    url.searchParams.delete('key');
    const secure = url.protocol === 'https:' ? '; Secure' : '';
    return {
      kind: 'session',
      location: `${url.pathname}${url.search}`,
      cookie:
        `${SESSION_COOKIE}=${sessionToken(key)}; Path=${STATUS_PATH}; HttpOnly; SameSite=Strict; ` +
        `Max-Age=${SESSION_HOURS * 3600}${secure}`,
    };
  }
  const header = request.header(KEY_HEADER);
  const cookie = cookieValue(request.header('cookie'), SESSION_COOKIE);
  const ok =
    (header !== null && sameSecret(header, key)) ||
    (cookie !== undefined && sameSecret(cookie, sessionToken(key)));
  return ok
    ? { kind: 'admin', admin: { who: 'sandbox admin (key)', via: 'key' } }
    : { kind: 'refused', status: 401, why: 'key' };
}

/** The session cookie's value: useless for anything but this page, and not the key itself. */
export function sessionToken(key: string): string {
  return createHmac('sha256', key).update('dingtalk-m365-sync status page session v1').digest('base64url');
}

/** Constant time whatever the lengths: both sides are hashed first. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The form token of the page's actions (POST): an HMAC of the admin's name under a key only this app has, so a
 * form posted from another site cannot carry it. The key is derived (HKDF) from STATUS_PAGE_KEY in the sandbox and
 * from DINGTALK_CALLBACK_AES_KEY in Azure (a secret every instance shares; the consent state uses it the same way).
 */
export function csrfToken(config: Pick<Config, 'mode' | 'statusPage' | 'dingtalk'>, admin: Admin): string {
  return createHmac('sha256', csrfKey(config)).update(`csrf\n${admin.via}\n${admin.who}`).digest('base64url');
}

export function validPost(
  request: StatusRequest,
  token: string | undefined,
  config: Pick<Config, 'mode' | 'statusPage' | 'dingtalk' | 'publicBaseUrl'>,
  admin: Admin,
): boolean {
  if (request.method !== 'POST') return false;
  // Browsers send Origin on every POST and Sec-Fetch-Site where they support it: either says "another site".
  const origin = request.header('origin');
  const ours = [new URL(request.url).origin, new URL(config.publicBaseUrl).origin];
  if (origin !== null && !ours.includes(origin)) return false;
  const site = request.header('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return false;
  return token !== undefined && sameSecret(token, csrfToken(config, admin));
}

function csrfKey(config: Pick<Config, 'mode' | 'statusPage' | 'dingtalk'>): Buffer {
  const secret = config.mode === 'sandbox' ? (config.statusPage.key ?? '') : config.dingtalk.callbackAesKey;
  return Buffer.from(hkdfSync('sha256', secret, 'dingtalk-m365-sync status page', 'csrf v1', 32));
}
