/**
 * The signed-in user App Service Authentication (Easy Auth) names in `X-MS-CLIENT-PRINCIPAL`: base64 of
 * `{"auth_typ", "claims": [{"typ", "val"}], "name_typ", "role_typ"}`. App Service strips this header from outside
 * requests and sets it itself, so it is trustworthy only where the platform's authentication is on
 * (learn.microsoft.com/azure/app-service/configure-authentication-user-identities); the caller decides that.
 */

/** The app role an admin must hold (the app registration's appRoles value). */
export const STATUS_ADMIN_ROLE = 'Sync.Admin';

export interface ClientPrincipal {
  /** The identity provider (`aad`). */
  provider: string;
  /** A name to show: the user's sign-in name or display name. */
  name: string;
  /** Stable id of the user (Entra object id), for the audit of actions. */
  id: string;
  roles: string[];
}

/** A real principal is a few kilobytes; anything far larger is refused before it is decoded. */
const MAX_HEADER_CHARS = 32_000;
/** Claim types Entra's roles arrive under, besides the one the principal names in role_typ. */
const ROLE_TYPES = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const NAME_TYPES = [
  'preferred_username',
  'name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
];
const ID_TYPES = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];

type RawPrincipal = {
  auth_typ?: unknown;
  claims?: unknown;
  name_typ?: unknown;
  role_typ?: unknown;
};

/** Undefined for a missing, oversized or malformed header: the caller answers that as "not signed in". */
export function parseClientPrincipal(header: string | null | undefined): ClientPrincipal | undefined {
  if (!header || header.length > MAX_HEADER_CHARS || !/^[A-Za-z0-9+/=_-]+$/.test(header.trim()))
    return undefined;
  let raw: RawPrincipal;
  try {
    raw = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8')) as RawPrincipal;
  } catch {
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || !Array.isArray(raw.claims)) return undefined;
  const claims = raw.claims.filter(
    (c): c is { typ: string; val: string } =>
      !!c && typeof c === 'object' && typeof c.typ === 'string' && typeof c.val === 'string',
  );
  const valuesOf = (types: string[]) => claims.filter((c) => types.includes(c.typ)).map((c) => c.val);
  const roleTypes = typeof raw.role_typ === 'string' ? [raw.role_typ, ...ROLE_TYPES] : ROLE_TYPES;
  const nameTypes = typeof raw.name_typ === 'string' ? [raw.name_typ, ...NAME_TYPES] : NAME_TYPES;
  const id = valuesOf(ID_TYPES)[0] ?? '';
  const name = valuesOf(nameTypes)[0] ?? id;
  if (!id && !name) return undefined;
  return {
    provider: typeof raw.auth_typ === 'string' ? raw.auth_typ : '',
    name,
    id: id || name,
    roles: [...new Set(valuesOf(roleTypes))],
  };
}

/** Base64 of a principal as App Service sends it; tests and the docs' examples build headers with it. */
export function encodeClientPrincipal(principal: {
  name: string;
  id: string;
  roles: string[];
  provider?: string;
}): string {
  const claims = [
    { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: principal.id },
    { typ: 'preferred_username', val: principal.name },
    ...principal.roles.map((role) => ({ typ: 'roles', val: role })),
  ];
  const body = {
    auth_typ: principal.provider ?? 'aad',
    claims,
    name_typ: 'preferred_username',
    role_typ: 'roles',
  };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}
