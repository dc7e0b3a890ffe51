import { randomBytes } from 'node:crypto';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { statusAction, statusUser } from '../../../functions/status-page';
import { setAppContext, type AppContext } from '../../../shared/app/context';
import { csrfToken } from '../../../shared/app/status/access';
import { ManualClock } from '../../../shared/platform/clock';
import { SANDBOX_DEFAULTS } from '../../../shared/platform/config';
import { emptyState } from '../../../shared/store/pair-state-store';
import type { WorkItem } from '../../../shared/store/types';
import { createTestApp, type TestApp } from '../../support/app-context';
import { drainQueue, pairFor } from './support';

/** One user's page and its actions on Azurite: figures from the tables, and each action's effect in storage. */

const BASE = 'http://127.0.0.1:7071';
const KEY = SANDBOX_DEFAULTS.STATUS_PAGE_KEY!;
const NOW = Date.parse('2026-11-16T04:00:00Z');
const PAIR = 'aaaaaaaa-1111-4111-8111-000000000001';
const ADMIN = { who: 'sandbox admin (key)', via: 'key' as const };

let app: TestApp;
let queueName: string;

beforeEach(async () => {
  queueName = `work-${randomBytes(4).toString('hex')}`;
  app = createTestApp({ clock: new ManualClock(NOW), queueName, env: { SYNC_KINDS: 'calendar,todo' } });
  const pair = pairFor(PAIR, { email: 'li.na@contoso.example' }, ['calendar', 'todo']);
  await app.stores.users.save(pair);
  const state = emptyState(PAIR, 'calendar');
  state.sides.dingtalk = { cursor: 'dt1:sync:x', lastSyncedAt: new Date(NOW - 120_000).toISOString() };
  state.sides.outlook = { cursor: 'o', lastSyncedAt: new Date(NOW - 60_000).toISOString() };
  const links = [1, 2, 3].map((n) => ({
    link: {
      linkId: `l${n}`,
      kind: 'calendar' as const,
      dingtalkId: `d${n}`,
      outlookId: `o${n}`,
      projectionHash: 'h',
    },
  }));
  await app.stores.pairState.write(state, links);
  await app.stores.failures.record(
    work('dingtalk'),
    'bulk-delete breaker tripped: 7 of 9 items would be deleted',
    true,
    NOW,
  );
  await app.stores.audit.record({
    at: new Date(NOW - 300_000).toISOString(),
    pairId: PAIR,
    kind: 'calendar',
    side: 'outlook',
    action: 'breaker',
    reason:
      'bulk-delete breaker: 7 of 9 linked items would be deleted on outlook (more than 20%); nothing was written',
  });
});
afterEach(() => setAppContext(undefined as unknown as AppContext));

const work = (side: 'dingtalk' | 'outlook'): WorkItem => ({
  pairId: PAIR,
  kind: 'calendar',
  side,
  folder: side === 'dingtalk' ? 'primary' : 'calendar',
  reason: 'sweep',
});
const invocation = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const text = (r: HttpResponseInit) => String(r.body ?? '');
const user = (q: string) =>
  statusUser(
    new HttpRequest({
      url: `${BASE}/api/status/user?q=${encodeURIComponent(q)}`,
      method: 'GET',
      headers: { 'x-status-key': KEY },
    }),
    invocation(),
  );
const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  statusAction(
    new HttpRequest({
      url: `${BASE}/api/status/action`,
      method: 'POST',
      headers: {
        'x-status-key': KEY,
        'content-type': 'application/x-www-form-urlencoded',
        origin: BASE,
        ...headers,
      },
      body: { string: new URLSearchParams(fields).toString() },
    }),
    invocation(),
  );
const csrf = () => csrfToken(app.config, ADMIN);

test('found by address or pair id: each side, the links, the breaker and what it stopped', async () => {
  const byAddress = text(await user('LI.NA@contoso.example'));
  const byId = text(await user(PAIR));
  expect(byAddress).toBe(byId);
  expect(byId).toContain('Sync status of li.na@contoso.example');
  expect(byId).toContain('calendar 3 / 3 matched');
  expect(byId).toContain('todo 0 matched so far');
  expect(byId).toContain('waiting for an admin');
  expect(byId).toContain('Stopped by the bulk-delete breaker');
  expect(byId).toContain('7 of 9 linked items would be deleted on outlook');
  expect(byId).toContain('Release breaker');
  expect((await user('nobody@contoso.example')).status).toBe(404);
});

test('retry now and resync queue the pull the app would, and each is an audit row', async () => {
  const retry = await post({
    csrf: csrf(),
    action: 'retry',
    pairId: PAIR,
    kind: 'calendar',
    side: 'outlook',
  });
  expect(retry.status).toBe(200);
  expect(text(retry)).toContain('Done: a pull of calendar (outlook) was queued');
  const resync = await post({ csrf: csrf(), action: 'resync', pairId: PAIR, kind: 'todo', side: 'dingtalk' });
  expect(resync.status).toBe(200);
  const queued = await drainQueue(queueName);
  expect(queued).toEqual([
    { pairId: PAIR, kind: 'calendar', side: 'outlook', folder: 'calendar', reason: 'retry' },
    { pairId: PAIR, kind: 'todo', side: 'dingtalk', folder: 'tasks', reason: 'resync', resync: true },
  ]);
  const rows = await app.stores.audit.search({ fromDay: '20261116', toDay: '20261116', action: 'admin' }, 10);
  expect(rows.map((r) => r.reason.split(':')[0]).sort()).toEqual([
    'resync by sandbox admin (key)',
    'retry now by sandbox admin (key)',
  ]);
});

test('release: the breaker row goes and one pull that may delete is queued; a second release finds nothing', async () => {
  const released = await post({
    csrf: csrf(),
    action: 'release',
    pairId: PAIR,
    kind: 'calendar',
    side: 'dingtalk',
  });
  expect(released.status).toBe(200);
  expect(await app.stores.failures.listForPair(PAIR)).toEqual([]);
  expect(await drainQueue(queueName)).toEqual([{ ...work('dingtalk'), reason: 'breaker-release' }]);
  const again = await post({
    csrf: csrf(),
    action: 'release',
    pairId: PAIR,
    kind: 'calendar',
    side: 'dingtalk',
  });
  expect(again.status).toBe(409);
  expect(await drainQueue(queueName)).toEqual([]);
});

test('a post without the token, from another site or with bad fields changes nothing', async () => {
  const fields = { action: 'release', pairId: PAIR, kind: 'calendar', side: 'dingtalk' };
  expect((await post(fields)).status).toBe(403);
  expect((await post({ ...fields, csrf: csrf() }, { origin: 'https://evil.example' })).status).toBe(403);
  expect((await post({ ...fields, csrf: 'forged' })).status).toBe(403);
  expect((await post({ ...fields, csrf: csrf(), side: 'both' })).status).toBe(400);
  expect((await post({ ...fields, csrf: csrf(), action: 'delete-everything' })).status).toBe(400);
  expect((await post({ ...fields, csrf: csrf(), kind: 'mail' })).status).toBe(400);
  expect((await post({ ...fields, csrf: csrf(), pairId: 'no-such-pair' })).status).toBe(404);
  expect(await app.stores.failures.listForPair(PAIR)).toHaveLength(1);
  expect(await drainQueue(queueName)).toEqual([]);
});
