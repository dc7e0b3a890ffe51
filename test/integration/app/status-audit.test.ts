import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { statusAudit } from '../../../functions/status-page';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import { ManualClock } from '../../../shared/platform/clock';
import { SANDBOX_DEFAULTS } from '../../../shared/platform/config';
import type { AuditEntry } from '../../../shared/sync/types';
import { createTestApp, type TestApp } from '../../support/app-context';
import { pairFor } from './support';

/** The status page's audit search and its CSV and JSON downloads, on real day partitions. */

const BASE = 'http://127.0.0.1:7071';
const KEY = SANDBOX_DEFAULTS.STATUS_PAGE_KEY!;
const NOW = Date.parse('2026-12-01T10:00:00Z');
const ALICE = 'aaaaaaaa-0000-4000-8000-000000000001';
const BOB = 'bbbbbbbb-0000-4000-8000-000000000002';

const row = (at: string, pairId: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  at,
  pairId,
  kind: 'calendar',
  side: 'outlook',
  action: 'create',
  reason: 'N4: new item',
  ...extra,
});

let app: TestApp;
beforeEach(async () => {
  app = createTestApp({ clock: new ManualClock(NOW) });
  await app.stores.users.saveMany([
    pairFor(ALICE, { email: 'alice@contoso.example' }),
    pairFor(BOB, { email: 'bob@contoso.example' }),
  ]);
  await app.stores.audit.recordMany([
    row('2026-11-20T08:00:00.000Z', ALICE),
    row('2026-11-29T08:00:00.000Z', ALICE, { reason: '周会, "第二次"\n改到 15:00' }),
    row('2026-11-30T08:00:00.000Z', ALICE, { kind: 'mail', side: 'dingtalk', action: 'update' }),
    row('2026-12-01T08:00:00.000Z', BOB, { lagMs: 4200 }),
  ]);
});
afterEach(() => setAppContext(undefined as unknown as AppContext));

const invocation = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const get = (query: string, headers: Record<string, string> = { 'x-status-key': KEY }) =>
  statusAudit(
    new HttpRequest({ url: `${BASE}/api/status/audit?${query}`, method: 'GET', headers }),
    invocation(),
  );
const text = (r: HttpResponseInit) => String(r.body ?? '');
const rowsShown = (html: string) =>
  (/<table id="audit-table">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '').split('<tr>').length - 2;

test('search by user (address), kind, side and days: the rows that match, newest first', async () => {
  expect(rowsShown(text(await get('')))).toBe(3); // the last 7 days: 24 Nov to 1 Dec
  expect(rowsShown(text(await get('from=2026-11-01&to=2026-12-01')))).toBe(4);
  expect(rowsShown(text(await get('user=alice%40contoso.example&from=2026-11-01')))).toBe(3);
  expect(rowsShown(text(await get(`user=${BOB}&side=outlook`)))).toBe(1);
  const mail = text(await get('kind=mail&side=dingtalk&from=2026-11-01'));
  expect(rowsShown(mail)).toBe(1);
  expect(mail).toContain('2026-11-30T08:00:00.000Z');
  expect(text(await get(''))).toContain('<td>4 s</td>');
});

test('CSV (with the byte order mark, RFC 4180 quoting) and JSON downloads hold the same rows', async () => {
  const csv = await get('user=alice%40contoso.example&from=2026-11-01&format=csv');
  expect((csv.headers as Record<string, string>)['content-type']).toBe('text/csv; charset=utf-8');
  expect((csv.headers as Record<string, string>)['content-disposition']).toBe(
    'attachment; filename="audit-20261101-20261201.csv"',
  );
  const body = text(csv);
  expect(body.startsWith('\uFEFFat,pairId,kind,side,action,dingtalkId,outlookId,reason,detail\r\n')).toBe(
    true,
  );
  expect(body).toContain('"周会, ""第二次""\n改到 15:00"');
  expect(body.split('\r\n').filter(Boolean)).toHaveLength(4);
  const json = JSON.parse(
    text(await get('user=alice%40contoso.example&from=2026-11-01&format=json')),
  ) as AuditEntry[];
  expect(json.map((r) => r.at)).toEqual([
    '2026-11-30T08:00:00.000Z',
    '2026-11-29T08:00:00.000Z',
    '2026-11-20T08:00:00.000Z',
  ]);
});

test('bad input is a 400 that says what to write; an unknown address a 404; no key a 401', async () => {
  for (const [query, says] of [
    ['from=2026-13-01', 'dates must be written YYYY-MM-DD'],
    ['kind=files', 'kind must be one of calendar'],
    ['from=2026-12-02&to=2026-12-01', 'from must not be after to'],
    ['from=2024-01-01', 'at most 366 days'],
    ['format=xml', 'format must be one of html, csv, json'],
  ]) {
    const response = await get(query);
    expect(response.status).toBe(400);
    expect(text(response)).toContain(says);
  }
  expect((await get('user=nobody%40contoso.example')).status).toBe(404);
  const refused = await get('format=csv', {});
  expect(refused.status).toBe(401);
  expect(text(refused)).not.toContain('N4');
});
