import type { Config } from '../../platform/config';
import { requiredPermissions } from '../consent/consent-link';
import { reasonOf, type PreflightResult } from './types';

const ID = 'graph-permissions';
const TITLE = 'Microsoft Graph application permissions';
const CONSENT_FIX = (base: string) =>
  `an administrator of the Microsoft 365 tenant opens ${base.replace(/\/+$/, '')}/api/consent and grants admin consent; ` +
  'the app registration must list the missing permissions as application permissions (not delegated) first';

/**
 * The `roles` claim of an app-only access token: the application permissions granted to the app in this tenant.
 * The token is our own, fresh from the identity platform, so its payload is read without checking the signature.
 */
export function rolesOfToken(token: string): string[] {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the access token is not a JWT');
  let claims: { roles?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
  } catch {
    throw new Error('the access token payload is not JSON');
  }
  return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
}

export async function checkGraphPermissions(deps: {
  kinds: Config['kinds'];
  publicBaseUrl: string;
  getAccessToken: () => Promise<string>;
}): Promise<PreflightResult> {
  const needed = requiredPermissions(deps.kinds);
  let roles: string[];
  try {
    roles = rolesOfToken(await deps.getAccessToken());
  } catch (err) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `no app token from the identity platform: ${reasonOf(err)}`,
      fix:
        'check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and the Graph credential (GRAPH_CREDENTIAL: managed identity, ' +
        'certificate or client secret) against the app registration',
    };
  }
  const granted = new Set(roles);
  const missing = needed.filter((p) => !granted.has(p));
  if (missing.length > 0) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `not granted: ${missing.join(', ')} (needed for the enabled kinds: ${needed.join(', ')})`,
      fix: CONSENT_FIX(deps.publicBaseUrl),
      missing,
    };
  }
  return { id: ID, ok: true, title: TITLE, detail: `granted: ${needed.join(', ')}`, fix: '' };
}
