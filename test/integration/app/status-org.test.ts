import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { statusOrg } from '../../../functions/status-page';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import { chinaMonthOf } from '../../../shared/connectors/dingtalk/china-month';
import { ManualClock } from '../../../shared/platform/clock';
import { SANDBOX_DEFAULTS } from '../../../shared/platform/config';
import { emptyState } from '../../../shared/store/pair-state-store';
import type { WorkItem } from '../../../shared/store/types';
import { createTestApp, type TestApp } from '../../support/app-context';
import { pairFor } from './support';

/** The organisation view on Azurite: who may open it, and that its figures are the tables'. */

const BASE = 'http://127.0.0.1:7071';
const KEY = SANDBOX_DEFAULTS.STATUS_PAGE_KEY!;
const NOW = Date.parse('2026-11-16T04:00:00Z');

let app: TestApp;
let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock(NOW);
  app = createTestApp({ clock, env: { SYNC_KINDS: 'calendar,mail' } });
});
afterEach(() => setAppContext(undefined as unknown as AppContext));

const invocation = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const get = (path: string, headers: Record<string, string> = {}) =>
  statusOrg(new HttpRequest({ url: `${BASE}${path}`, method: 'GET', headers }), invocation());
const text = (r: HttpResponseInit) => String(r.body ?? '');
const header = (r: HttpResponseInit, name: string) => (r.headers as Record<string, string>)[name];

/** The number in the row of the given table whose first cell is `label`. */
function figure(html: string, tableId: string, label: string, column = 1): string {
  const table = new RegExp(`<table id="${tableId}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
  for (const row of table.split('<tr>').slice(1)) {
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
    if (cells[0] === label) return cells[column];
  }
  throw new Error(`no row ${label} in ${tableId}`);
}

describe('who may open it (sandbox: the key)', () => {
  test('no key, a wrong key: 401 and nothing about the organisation', async () => {
    await app.stores.users.save(pairFor('11111111-aaaa-4aaa-8aaa-000000000001'));
    for (const response of [await get('/api/status'), await get('/api/status?key=wrong-key-wrong-key')]) {
      expect(response.status).toBe(401);
      expect(text(response)).not.toContain('contoso');
      expect(text(response)).not.toMatch(/<table/);
      expect(header(response, 'set-cookie')).toBeUndefined();
    }
  });

  test('?key= sets a session cookie (not the key) and sends the browser on without the key', async () => {
    const first = await get(`/api/status?key=${encodeURIComponent(KEY)}`);
    expect(first.status).toBe(303);
    expect(header(first, 'location')).toBe('/api/status');
    const cookie = header(first, 'set-cookie');
    expect(cookie).toMatch(
      /^status_session=[A-Za-z0-9_-]{43}; Path=\/api\/status; HttpOnly; SameSite=Strict/,
    );
    expect(cookie).not.toContain(KEY);
    const page = await get('/api/status', { cookie: cookie.split(';')[0] });
    expect(page.status).toBe(200);
    expect(text(page)).not.toContain(KEY);
    expect(header(page, 'content-security-policy')).toContain("default-src 'none'");
  });

  test('the x-status-key header opens it; a forged Easy Auth header does not, in the sandbox', async () => {
    expect((await get('/api/status', { 'x-status-key': KEY })).status).toBe(200);
    const forged = Buffer.from(
      JSON.stringify({
        auth_typ: 'aad',
        claims: [
          { typ: 'roles', val: 'Sync.Admin' },
          { typ: 'name', val: 'x' },
        ],
      }),
    ).toString('base64');
    expect((await get('/api/status', { 'x-ms-client-principal': forged })).status).toBe(401);
  });

  test('a bad setting is refused at start with a message that says what to fix', () => {
    expect(() => createTestApp({ env: { STATUS_PAGE_KEY: 'short' } })).toThrow(
      /STATUS_PAGE_KEY is invalid \(hidden\): must be at least 16 characters/,
    );
  });
});

describe('the organisation figures are the tables', () => {
  const ids = [1, 2, 3, 4, 5].map((n) => `${String(n).repeat(8)}-aaaa-4aaa-8aaa-000000000000`);

  beforeEach(async () => {
    const { users, failures, pairState, jobs, dingtalkCalls, audit } = app.stores;
    await users.saveMany([
      pairFor(ids[0], {}, ['calendar', 'mail']),
      pairFor(ids[1], {}, ['calendar', 'mail']),
      pairFor(ids[2], {}, ['calendar', 'mail']),
      pairFor(ids[3], { status: 'disabled' }),
      pairFor(ids[4], { status: 'left' }),
    ]);
    // Pair 1's calendar is in sync on both sides; pair 2's calendar has no state row yet (first sync owed).
    const synced = emptyState(ids[0], 'calendar');
    synced.sides.dingtalk = { cursor: 'dt1:sync:a', lastSyncedAt: new Date(NOW - 60_000).toISOString() };
    synced.sides.outlook = { cursor: 'o', lastSyncedAt: new Date(NOW - 60_000).toISOString() };
    await pairState.write(synced);
    const work = (pairId: string, side: 'dingtalk' | 'outlook', folder: string): WorkItem => ({
      pairId,
      kind: 'calendar',
      side,
      folder,
      reason: 'sweep',
    });
    await failures.record(work(ids[1], 'outlook', 'calendar'), 'Graph 429 TooManyRequests', false, NOW);
    await failures.record(
      work(ids[2], 'dingtalk', 'primary'),
      'bulk-delete breaker tripped: 9 of 10',
      true,
      NOW,
    );
    await dingtalkCalls.raiseTo(chinaMonthOf(NOW), 1234);
    const lease = await jobs.acquire('pairing', undefined, 'test', 60_000, NOW);
    await jobs.complete(
      lease!,
      NOW - 3600_000,
      JSON.stringify({ pairs: 4, dingtalkPeople: 7, entraPeople: 9, problems: { 'ambiguous-address': 1 } }),
    );
    await audit.record({
      at: new Date(NOW - 600_000).toISOString(),
      pairId: ids[1],
      kind: 'calendar',
      side: 'outlook',
      action: 'failure',
      reason: 'will retry: pull failed: list events: 429 TooManyRequests',
    });
  });

  test('pairs, folders, DingTalk calls, throttling and failures', async () => {
    const page = await get('/api/status', { 'x-status-key': KEY });
    const html = text(page);
    expect(page.status).toBe(200);
    expect(figure(html, 'pairs-table', 'paired and syncing (active)')).toBe('3');
    expect(figure(html, 'pairs-table', 'disabled')).toBe('1');
    expect(figure(html, 'pairs-table', 'left')).toBe('1');
    expect(figure(html, 'pairs-table', 'DingTalk people without a pair')).toBe('3');
    expect(figure(html, 'pairs-table', 'Entra accounts without a pair')).toBe('5');

    // calendar: 3 active pairs → 3 folders per side. Outlook: 1 failing (pair 2), 1 in sync, 1 first sync owed.
    const row = (kind: string, side: string) => {
      const table = /<table id="folders-table">([\s\S]*?)<\/table>/.exec(html)![1];
      const found = table
        .split('<tr>')
        .map((r) => [...r.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]))
        .find((cells) => cells[0] === kind && cells[1] === side);
      return found!.slice(2);
    };
    // folders, failing, admin, in sync, first sync, behind
    expect(row('calendar', 'outlook')).toEqual(['3', '1', '0', '1', '1', '0']);
    expect(row('calendar', 'dingtalk')).toEqual(['3', '0', '1', '1', '1', '0']);
    expect(row('mail', 'dingtalk')).toEqual(['3', '0', '0', '0', '3', '0']);

    expect(figure(html, 'dingtalk-table', '1,234', 0)).toBe('1,234');
    expect(html).toContain('<td class="n">5,000</td>');
    expect(figure(html, 'throttling-table', '1', 0)).toBe('1');
    expect(html).toMatch(/<td class="n">1<\/td><td class="n">1<\/td>/);
    expect(html).toContain('Stopped by the bulk-delete breaker');
    expect(html).toContain('waiting for an admin');
  });
});
