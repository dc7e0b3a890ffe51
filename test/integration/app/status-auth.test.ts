import { setAppContext, type AppContext } from '../../../shared/app/context';
import { checkAccess, csrfToken, validPost, type AccessPolicy } from '../../../shared/app/status/access';
import {
  encodeClientPrincipal,
  parseClientPrincipal,
  STATUS_ADMIN_ROLE,
} from '../../../shared/app/status/client-principal';
import { serveStatus } from '../../../shared/app/status/status-routes';
import { loadConfig } from '../../../shared/platform/config';
import { statusPageHint } from '../../../scripts/start/status-page';
import { createTestApp, type TestApp } from '../../support/app-context';

/**
 * Entra sign-in through App Service Authentication: the principal header is trusted only while the platform says
 * its authentication is on; without the Sync.Admin role the page is refused; nothing leaks either way.
 */

const URL_ = 'https://sync-fn.example.net/api/status';
const admin = encodeClientPrincipal({ name: 'li.na@contoso.com', id: 'oid-1', roles: [STATUS_ADMIN_ROLE] });
const reader = encodeClientPrincipal({ name: 'bob@contoso.com', id: 'oid-2', roles: ['Other.Role'] });
const request = (headers: Record<string, string> = {}, method = 'GET') => ({
  method,
  url: URL_,
  header: (name: string) => headers[name.toLowerCase()] ?? null,
});
const live = (easyAuthEnabled: boolean): AccessPolicy => ({ mode: 'live', statusPage: { easyAuthEnabled } });

describe('the client principal header', () => {
  test('reads the name, the object id and the roles App Service puts there', () => {
    expect(parseClientPrincipal(admin)).toEqual({
      provider: 'aad',
      name: 'li.na@contoso.com',
      id: 'oid-1',
      roles: ['Sync.Admin'],
    });
  });

  test('roles under the role_typ the principal names, or the long claim type, count too', () => {
    const header = Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        claims: [
          { typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role', val: 'Sync.Admin' },
          { typ: 'name', val: 'Li Na' },
        ],
        name_typ: 'name',
        role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      }),
    ).toString('base64');
    expect(parseClientPrincipal(header)?.roles).toEqual(['Sync.Admin']);
  });

  test.each([
    ['missing', undefined],
    ['not base64', '%%%'],
    ['not JSON', Buffer.from('nope').toString('base64')],
    ['no claims', Buffer.from('{"auth_typ":"aad"}').toString('base64')],
    ['claims not a list', Buffer.from('{"claims":{"typ":"roles"}}').toString('base64')],
    ['far too large', 'A'.repeat(40_000)],
  ])('%s: no principal', (_name, header) => {
    expect(parseClientPrincipal(header)).toBeUndefined();
  });
});

describe('access in Azure (SYNC_MODE=live)', () => {
  test('a principal header while App Service Authentication is off is forged: refused', () => {
    expect(checkAccess(request({ 'x-ms-client-principal': admin }), live(false))).toEqual({
      kind: 'refused',
      status: 401,
      why: 'auth-off',
    });
  });

  test('no principal: 401; a principal without the role: 403; with it: an admin', () => {
    expect(checkAccess(request(), live(true))).toMatchObject({ status: 401, why: 'sign-in' });
    expect(checkAccess(request({ 'x-ms-client-principal': reader }), live(true))).toMatchObject({
      status: 403,
      why: 'role',
    });
    expect(checkAccess(request({ 'x-ms-client-principal': admin }), live(true))).toEqual({
      kind: 'admin',
      admin: { who: 'li.na@contoso.com', via: 'entra' },
    });
  });

  test('the sandbox key opens nothing in live mode', () => {
    expect(checkAccess(request({ 'x-status-key': 'sandbox-status-page-key' }), live(true))).toMatchObject({
      status: 401,
    });
  });

  test('live mode refuses STATUS_PAGE_KEY at start: only Entra sign-in admits anyone there', () => {
    expect(() => loadConfig({ SYNC_MODE: 'live', STATUS_PAGE_KEY: 'a-key-of-twenty-chars' })).toThrow(
      /STATUS_PAGE_KEY is set but SYNC_MODE is live/,
    );
  });
});

describe('the page behind it', () => {
  let app: TestApp;
  beforeEach(() => {
    app = createTestApp();
  });
  afterEach(() => setAppContext(undefined as unknown as AppContext));

  const liveApp = (easyAuthEnabled: boolean): AppContext => ({
    ...app,
    config: { ...app.config, mode: 'live', statusPage: { easyAuthEnabled } },
  });

  test('401 with a sign-in link, 403, and 200: the refusals hold no figure', async () => {
    const noone = await serveStatus('org', request(), { app: liveApp(true) });
    expect(noone.status).toBe(401);
    expect(noone.body).toContain('/.auth/login/aad');
    expect(noone.body).not.toMatch(/<table|<nav/);
    const wrongRole = await serveStatus('org', request({ 'x-ms-client-principal': reader }), {
      app: liveApp(true),
    });
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body).not.toMatch(/<table|<nav/);
    const forged = await serveStatus('org', request({ 'x-ms-client-principal': admin }), {
      app: liveApp(false),
    });
    expect(forged.status).toBe(401);
    const ok = await serveStatus('org', request({ 'x-ms-client-principal': admin }), { app: liveApp(true) });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('id="pairs-table"');
  });

  test('a POST needs the form token of this admin and, when the browser names one, this origin', () => {
    const config = liveApp(true).config;
    const who = { who: 'li.na@contoso.com', via: 'entra' as const };
    const token = csrfToken(config, who);
    const post = (headers: Record<string, string>) => request(headers, 'POST');
    expect(validPost(post({}), token, config, who)).toBe(true);
    expect(validPost(post({ origin: 'https://sync-fn.example.net' }), token, config, who)).toBe(true);
    expect(validPost(post({ origin: 'https://evil.example' }), token, config, who)).toBe(false);
    expect(validPost(post({ 'sec-fetch-site': 'cross-site' }), token, config, who)).toBe(false);
    expect(validPost(post({}), undefined, config, who)).toBe(false);
    expect(validPost(post({}), token, config, { who: 'someone else', via: 'entra' })).toBe(false);
    expect(validPost(request({}, 'GET'), token, config, who)).toBe(false);
  });
});

test('npm start shows how to open the page: the built-in sandbox key, never a key of your own', () => {
  expect(statusPageHint('http://127.0.0.1:7071', {})).toContain(
    'http://127.0.0.1:7071/api/status?key=sandbox-status-page-key',
  );
  const own = statusPageHint('http://127.0.0.1:7071', { STATUS_PAGE_KEY: 'my-own-secret-key-123' });
  expect(own).not.toContain('my-own-secret-key-123');
  expect(own).toContain('?key=<your STATUS_PAGE_KEY>');
});
