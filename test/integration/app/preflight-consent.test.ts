import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { consentCallback, consentPage } from '../../../functions/admin-consent';
import type { FakeDingTalk } from '../../../sandbox/dingtalk';
import type { FakeGraph } from '../../../sandbox/graph/fake-graph';
import type { TestApp } from '../../support/app-context';
import {
  addPairedPerson,
  DINGTALK_APP as APP,
  startPreflightWorld,
  type PreflightWorld,
  type PublicWebhooks,
} from './preflight-world';

/** After Microsoft reports consent, the result page shows the preflight: every check, escaped, no secret. */

let graph: FakeGraph;
let dingtalk: FakeDingTalk;
let webhooks: PublicWebhooks;
let app: TestApp;

let world: PreflightWorld;

beforeEach(async () => {
  world = await startPreflightWorld('calendar,contact');
  ({ graph, dingtalk, webhooks, app } = world);
});
afterEach(() => world.stop());

const invocation = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const get = (url: string) => new HttpRequest({ url, method: 'GET' });
const text = (r: HttpResponseInit) => String(r.body);

const pairWithoutMailbox = (email: string) =>
  addPairedPerson(world, 'x', { kinds: ['calendar', 'contact'], email, hasMailbox: false });

/** Consent page → its link on the fake → Microsoft's redirect → our callback. */
async function grantConsent(): Promise<HttpResponseInit> {
  const page = await consentPage(get(`${webhooks.url}/api/consent?code=k`), invocation());
  const link = /href="([^"]+)"/.exec(text(page))![1].replace(/&amp;/g, '&');
  const redirect = await fetch(link, { redirect: 'manual' });
  return consentCallback(get(redirect.headers.get('location')!), invocation());
}

test('consent granted: the page shows every preflight check, the failures with their fix, escaped', async () => {
  await pairWithoutMailbox("o'brien&co@contoso.example");
  dingtalk.control.withholdScopes(['qyapi_ext_read']);

  const result = await grantConsent();
  const html = text(result);
  expect(result.status).toBe(200);
  expect(html).toContain('Consent granted');
  expect(html).toContain('<h2>Preflight</h2>');
  expect(html).toContain('2 checks failed');
  for (const title of [
    'Public URL is https',
    'Public URL answers Graph&#39;s validation',
    'Storage account reachable',
    'Microsoft Graph application permissions',
    'Exchange Online mailboxes',
    'DingTalk app permissions',
    'DingTalk callback answers check_url',
    'DingTalk callback deliveries (last 7 days)',
  ]) {
    expect(html).toContain(`<td>${title}</td>`);
  }
  expect(html).toContain('o&#39;brien&amp;co@contoso.example');
  expect(html).not.toContain("o'brien&co");
  expect(html).toContain('qyapi_ext_read');
  expect(html).toMatch(/answered the encrypted &quot;success&quot; in \d+ ms/);
  for (const secret of [
    APP.appSecret,
    app.config.dingtalk.callbackToken,
    app.config.dingtalk.callbackAesKey,
    app.config.graph.clientSecret!,
  ]) {
    expect(html).not.toContain(secret);
  }
  const logged = app.logLines.find((l) => l.line.includes('preflight after consent'));
  expect(logged?.line).toContain('exchange-mailbox');
  expect(logged?.line).not.toContain('brien');
});

test('consent refused: no preflight runs', async () => {
  await fetch(`${graph.url}/_control/admin-consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deny: 'AADSTS65004: User declined to consent.' }),
  });
  const html = text(await grantConsent());
  expect(html).toContain('Consent not granted');
  expect(html).not.toContain('Preflight');
  expect(dingtalk.control.exchanges()).toEqual([]);
});
