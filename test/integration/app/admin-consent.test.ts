import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { consentCallback, consentPage } from '../../../functions/admin-consent';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import { ManualClock } from '../../../shared/platform/clock';
import { startFakeGraph, type FakeGraph } from '../../../sandbox/graph/fake-graph';
import { createTestApp, type TestApp } from '../../support/app-context';

/**
 * The admin-consent round trip against the fake identity platform: the consent page's link, the fake's redirect,
 * and the callback's page for each answer.
 */

const BASE = 'https://sync-fn.example.net';
const CALLBACK = `${BASE}/api/consent/callback`;

let fake: FakeGraph;
let app: TestApp;
let clock: ManualClock;

beforeEach(async () => {
  fake = await startFakeGraph();
  clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  app = createTestApp({
    clock,
    env: {
      GRAPH_TENANT_ID: fake.tenantId,
      GRAPH_AUTHORITY_HOST: fake.url,
      GRAPH_BASE_URL: fake.url,
      PUBLIC_BASE_URL: BASE,
      SYNC_KINDS: 'calendar,todo',
    },
  });
});
afterEach(async () => {
  setAppContext(undefined as unknown as AppContext);
  await fake.stop();
});

const invocation = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const get = (url: string) => new HttpRequest({ url, method: 'GET' });
const text = (r: HttpResponseInit) => String(r.body);

async function consentLink(): Promise<string> {
  const page = await consentPage(get(`${BASE}/api/consent?code=function-key`), invocation());
  expect(page.status).toBe(200);
  const href = /href="([^"]+)"/.exec(text(page))?.[1];
  expect(href).toBeDefined();
  return href!.replace(/&amp;/g, '&');
}

/** GET the link on the fake as the admin's browser would, and return where it redirects. */
async function followOnFake(link: string): Promise<string> {
  const res = await fetch(link, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return res.headers.get('location')!;
}

const callback = (location: string) => consentCallback(get(location), invocation());

test('page → link → fake → callback: consent granted', async () => {
  const page = await consentPage(get(`${BASE}/api/consent?code=function-key`), invocation());
  expect(text(page)).toContain('Calendars.ReadWrite');
  expect(text(page)).toContain('Tasks.ReadWrite.All');
  expect(text(page)).not.toContain('Mail.ReadWrite');
  expect(text(page)).not.toContain('function-key');

  const link = await consentLink();
  expect(link.startsWith(`${fake.url}/${fake.tenantId}/v2.0/adminconsent?`)).toBe(true);
  const location = await followOnFake(link);
  const back = new URL(location);
  expect(back.origin + back.pathname).toBe(CALLBACK);
  expect(back.searchParams.get('admin_consent')).toBe('True');
  expect(back.searchParams.get('tenant')).toBe(fake.tenantId);

  const result = await callback(location);
  expect(result.status).toBe(200);
  expect(text(result)).toContain('Consent granted');
  expect(app.logLines.some((l) => l.level === 'info' && l.line.includes('admin consent granted'))).toBe(true);
  expect(app.logLines.some((l) => l.line.includes(back.searchParams.get('state')!))).toBe(false);
});

test('declined on the consent screen: the error is shown with what to do next', async () => {
  const res = await fetch(`${fake.url}/_control/admin-consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deny: 'AADSTS65004: User declined <b>to consent</b>.' }),
  });
  expect(res.status).toBe(200);
  const location = await followOnFake(await consentLink());
  expect(new URL(location).searchParams.get('error')).toBe('access_denied');

  const result = await callback(location);
  expect(result.status).toBe(200);
  expect(text(result)).toContain('Consent not granted');
  expect(text(result)).toContain('User declined &lt;b&gt;to consent&lt;/b&gt;.');
  expect(text(result)).not.toContain('<b>');
  expect(text(result)).toContain('Open the consent page again');
});

test('a redirect edited to name another tenant is refused', async () => {
  const back = new URL(await followOnFake(await consentLink()));
  back.searchParams.set('tenant', '11111111-2222-3333-4444-555555555555');
  const result = await callback(back.toString());
  expect(result.status).toBe(400);
  expect(text(result)).toContain('another tenant');
});

test('a forged, missing or expired state gets a plain 400 page', async () => {
  const link = new URL(await consentLink());
  const good = link.searchParams.get('state')!;
  const parts = good.split('.');
  parts[3] = (parts[3].startsWith('A') ? 'B' : 'A') + parts[3].slice(1);
  link.searchParams.set('state', parts.join('.'));
  const forged = await callback(await followOnFake(link.toString()));
  expect(forged.status).toBe(400);
  expect(text(forged)).toContain('did not come from a consent link');

  link.searchParams.delete('state');
  const missing = await callback(await followOnFake(link.toString()));
  expect(missing.status).toBe(400);

  const location = await followOnFake(await consentLink());
  clock.advance(60 * 60 * 1000 + 1);
  const expired = await callback(location);
  expect(expired.status).toBe(400);
  expect(text(expired)).toContain('expired');
});

test('the fake refuses a redirect URI the app registration does not list, without redirecting', async () => {
  await fetch(`${fake.url}/_control/admin-consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirectUris: ['https://elsewhere.example.net/cb'] }),
  });
  const res = await fetch(await consentLink(), { redirect: 'manual' });
  expect(res.status).toBe(400);
  expect(res.headers.get('location')).toBeNull();
  expect(await res.text()).toContain('AADSTS50011');
});
