import {
  adminConsentLink,
  consentRedirectUri,
  requiredPermissions,
} from '../../../../shared/app/consent/consent-link';

/** The v2.0 admin-consent request and the permissions the page lists. */

test('the link is the v2.0 adminconsent request for the tenant, app, /.default scope, callback and state', () => {
  const link = new URL(
    adminConsentLink({
      authorityHost: 'https://login.microsoftonline.com/',
      tenantId: '6c3a1d2e-8f4b-4c7a-9e1d-3b5f7a9c2e40',
      clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
      scope: 'https://graph.microsoft.com/.default',
      redirectUri: consentRedirectUri('https://sync-fn.azurewebsites.net/'),
      state: 'v1.1.abc.def',
    }),
  );
  expect(link.origin + link.pathname).toBe(
    'https://login.microsoftonline.com/6c3a1d2e-8f4b-4c7a-9e1d-3b5f7a9c2e40/v2.0/adminconsent',
  );
  expect(Object.fromEntries(link.searchParams)).toEqual({
    client_id: '00001111-aaaa-2222-bbbb-3333cccc4444',
    scope: 'https://graph.microsoft.com/.default',
    redirect_uri: 'https://sync-fn.azurewebsites.net/api/consent/callback',
    state: 'v1.1.abc.def',
  });
});

test('a fake authority keeps its host and port; a tenant name is escaped into the path', () => {
  const link = adminConsentLink({
    authorityHost: 'https://127.0.0.1:7443',
    tenantId: 'sandbox tenant/x',
    clientId: 'sandbox-client',
    scope: 'https://graph.microsoft.com/.default',
    redirectUri: 'http://127.0.0.1:7071/api/consent/callback',
    state: 's',
  });
  expect(
    link.startsWith(
      'https://127.0.0.1:7443/sandbox%20tenant%2Fx/v2.0/adminconsent?client_id=sandbox-client&',
    ),
  ).toBe(true);
});

test('the permissions follow the enabled kinds; User.Read.All is always there', () => {
  expect(requiredPermissions(['calendar'])).toEqual(['Calendars.ReadWrite', 'User.Read.All']);
  expect(requiredPermissions(['calendar', 'mail', 'sentmail', 'todo', 'contact'])).toEqual([
    'Calendars.ReadWrite',
    'Contacts.ReadWrite',
    'Mail.ReadWrite',
    'Tasks.ReadWrite.All',
    'User.Read.All',
  ]);
});
