import type { Config } from '../../platform/config';

/**
 * The admin-consent request of the Microsoft identity platform's v2.0 endpoint:
 * `{authority}/{tenant}/v2.0/adminconsent?client_id&scope&redirect_uri&state`. Application permissions can only be
 * asked for with the resource's `/.default` scope, which makes the consent screen show every permission configured
 * on the app registration (learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent).
 */

/** Where Microsoft sends the admin's browser back; it must be registered on the app registration (platform Web). */
export const CONSENT_CALLBACK_PATH = '/api/consent/callback';

export function consentRedirectUri(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${CONSENT_CALLBACK_PATH}`;
}

export function adminConsentLink(request: {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  scope: string;
  redirectUri: string;
  state: string;
}): string {
  const url = new URL(
    `${request.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(request.tenantId)}/v2.0/adminconsent`,
  );
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('scope', request.scope);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('state', request.state);
  return url.toString();
}

type Kind = Config['kinds'][number];

const PERMISSIONS_BY_KIND: Record<Kind, string> = {
  calendar: 'Calendars.ReadWrite',
  mail: 'Mail.ReadWrite',
  sentmail: 'Mail.ReadWrite',
  todo: 'Tasks.ReadWrite.All',
  contact: 'Contacts.ReadWrite',
};

/** The application permissions the enabled kinds need; User.Read.All always, for pairing people by address. */
export function requiredPermissions(kinds: readonly Kind[]): string[] {
  const needed = new Set(kinds.map((k) => PERMISSIONS_BY_KIND[k]));
  needed.add('User.Read.All');
  return [...needed].sort();
}
