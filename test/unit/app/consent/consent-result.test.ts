import { consentResultPage, consentStartPage, escapeHtml } from '../../../../shared/app/consent/consent-page';
import { consentOutcome } from '../../../../shared/app/consent/consent-result';
import { consentStateKey, createConsentState } from '../../../../shared/app/consent/consent-state';

/** Reading Microsoft's redirect, and the pages shown for each outcome: escaped, nothing secret. */

const SECRET = '4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij';
const TENANT = '6c3a1d2e-8f4b-4c7a-9e1d-3b5f7a9c2e40';
const NOW = Date.parse('2026-11-22T08:00:00Z');
const key = consentStateKey(SECRET, { tenantId: TENANT, clientId: 'app' });
const state = createConsentState(key, NOW).state;
const outcome = (params: Record<string, string>, tenantId = TENANT) =>
  consentOutcome(new URLSearchParams(params), { key, nowMs: NOW + 1000, tenantId });
const XSS = '<script>alert("x")</script>&\'';

test('admin_consent=True for the configured tenant (any case) with a good state is granted', () => {
  expect(outcome({ admin_consent: 'True', tenant: TENANT.toUpperCase(), state })).toEqual({
    kind: 'granted',
    tenant: TENANT.toUpperCase(),
    configuredIsName: false,
  });
  const page = consentResultPage(outcome({ admin_consent: 'True', tenant: TENANT, state }));
  expect(page.status).toBe(200);
  expect(page.body).toContain('Consent granted');
});

test('a bad or missing state wins over everything else and shows nothing from the request', () => {
  for (const s of [undefined, 'forged', state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A')]) {
    const params: Record<string, string> = { error: 'access_denied', error_description: XSS, tenant: TENANT };
    if (s !== undefined) params.state = s;
    const result = outcome(params);
    expect(result.kind).toBe('bad-state');
    const page = consentResultPage(result);
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('alert');
    expect(page.body).not.toContain(TENANT);
  }
});

test('an expired state says so', () => {
  const result = consentOutcome(new URLSearchParams({ state, admin_consent: 'True', tenant: TENANT }), {
    key,
    nowMs: NOW + 2 * 3600_000,
    tenantId: TENANT,
  });
  expect(result).toEqual({ kind: 'bad-state', reason: 'expired' });
  expect(consentResultPage(result).body).toContain('expired');
});

test("Microsoft's error and description are shown escaped, with what to do next", () => {
  const result = outcome({ error: 'access_denied', error_description: XSS, state, admin_consent: 'True' });
  expect(result).toEqual({ kind: 'refused', error: 'access_denied', description: XSS });
  const page = consentResultPage(result);
  expect(page.status).toBe(200);
  expect(page.body).not.toContain('<script>');
  expect(page.body).toContain(escapeHtml(XSS));
  expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  expect(page.body).toContain('Open the consent page again');
  const odd = consentResultPage(outcome({ error: `"><img src=x onerror=1>`, state }));
  expect(odd.body).not.toContain('<img');
  expect(odd.body).toContain('login.microsoftonline.com/error');
});

test('another tenant, or none, is refused with 400 and the tenant escaped', () => {
  const other = '11111111-2222-3333-4444-555555555555';
  expect(outcome({ admin_consent: 'True', tenant: other, state })).toEqual({
    kind: 'wrong-tenant',
    expected: TENANT,
    got: other,
  });
  expect(outcome({ admin_consent: 'True', state }).kind).toBe('wrong-tenant');
  const forged = consentResultPage(outcome({ admin_consent: 'True', tenant: XSS, state }));
  expect(forged.status).toBe(400);
  expect(forged.body).not.toContain('<script>');
});

test('without admin_consent=True nothing is claimed', () => {
  expect(outcome({ tenant: TENANT, state })).toEqual({ kind: 'not-granted' });
  expect(outcome({ admin_consent: 'False', tenant: TENANT, state })).toEqual({ kind: 'not-granted' });
  expect(consentResultPage({ kind: 'not-granted' }).status).toBe(400);
});

test('a GRAPH_TENANT_ID that is a name cannot be compared: granted, with advice to set the id', () => {
  const result = outcome({ admin_consent: 'True', tenant: TENANT, state }, 'contoso.onmicrosoft.com');
  expect(result).toEqual({ kind: 'granted', tenant: TENANT, configuredIsName: true });
  expect(consentResultPage(result).body).toContain(`setting it to <code>${TENANT}</code>`);
});

test('every page is self-contained, uncached, unframed and sends no Referer', () => {
  const page = consentStartPage({
    link: 'https://login.microsoftonline.com/t/v2.0/adminconsent?client_id=a&state=b"c',
    tenantId: TENANT,
    clientId: '<app>',
    redirectUri: 'https://x/api/consent/callback',
    kinds: ['calendar'],
    permissions: ['Calendars.ReadWrite', 'User.Read.All'],
    expiresAt: NOW + 3600_000,
  });
  expect(page.headers).toMatchObject({
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  expect(page.body).toContain(
    'href="https://login.microsoftonline.com/t/v2.0/adminconsent?client_id=a&amp;state=b&quot;c"',
  );
  expect(page.body).toContain('&lt;app&gt;');
  expect(page.body).not.toMatch(/<script|src=|<link/i);
  expect(page.body).toContain('2026-11-22T09:00:00.000Z');
});
