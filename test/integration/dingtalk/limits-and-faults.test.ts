import { MonthlyBudgetGovernor } from '../../../shared/connectors/dingtalk/budget-governor';
import { QuotaExhaustedError } from '../../../shared/connectors/dingtalk/errors';
import { ManualClock } from '../../../shared/platform/clock';
import { TransientRemoteError } from '../../../shared/sync/types';
import { type Harness, startHarness } from './support/harness';

describe('fake DingTalk: QPS, quota and injected faults, as the project client meets them', () => {
  let h: Harness;
  const slept: number[] = [];
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  beforeEach(async () => {
    slept.length = 0;
    h = await startHarness({
      clock,
      requestTimeoutMs: 300,
      sleep: async (ms) => {
        slept.push(ms);
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
      },
    });
  });
  afterEach(() => h.stop());

  test('more than 20 calls per second to one API get QPS errors in both dialects', async () => {
    const token = await h.tokens.getToken();
    const v1 = `${h.fake.url}/v1.0/calendar/users/${h.alice.dingtalkUnionId}/calendars/primary/events`;
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => fetch(v1, { headers: { 'x-acs-dingtalk-access-token': token } })),
    );
    const refused = answers.filter((r) => r.status === 403);
    expect(refused).toHaveLength(5);
    expect(await refused[0]!.json()).toMatchObject({
      code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
    });

    const oapi = await Promise.all(
      Array.from({ length: 22 }, () =>
        fetch(`${h.fake.url}/topapi/v2/user/get?access_token=${token}`, {
          method: 'POST',
          body: '{"userid":"alice"}',
        }).then((r) => r.json() as Promise<{ errcode: number }>),
      ),
    );
    expect(oapi.filter((b) => b.errcode === 90018)).toHaveLength(2);
  });

  test('the project client’s own limiter keeps 30 quick calls under the limit: none is refused', async () => {
    const client = await startHarness({ clock });
    try {
      await Promise.all(Array.from({ length: 30 }, () => client.directory.getUser('alice')));
      expect(
        client.fake.control
          .exchanges()
          .filter((x) => x.status === 200 && x.operation === '/topapi/v2/user/get'),
      ).toHaveLength(30);
      expect(
        client.fake.control
          .exchanges()
          .some((x) => (x.responseBody as { errcode?: number })?.errcode === 90018),
      ).toBe(false);
    } finally {
      await client.stop();
    }
  });

  test('an injected QPS refusal is waited out (≥ 1 s) and retried', async () => {
    h.fake.control.injectFault({ path: '/topapi/v2/user/get', kind: 'qpsLimit', times: 2 });
    expect(await h.directory.getUser('alice')).toMatchObject({ userid: 'alice' });
    expect(slept.filter((ms) => ms >= 1000)).toHaveLength(2);
  });

  test('the monthly quota: metered calendar calls stop with QuotaExhaustedError, contacts go on, a new month resets', async () => {
    h.fake.control.setMonthlyQuota(3);
    for (let i = 0; i < 3; i++) await h.adapter.listChanges(h.alice, 'primary', undefined);
    const err = await h.adapter.listChanges(h.alice, 'primary', undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuotaExhaustedError);
    expect(h.fake.control.usage()).toMatchObject({ metered: 3, quota: 3 });
    expect(await h.directory.getUser('alice')).toBeDefined();
    clock.set(Date.parse('2026-11-30T16:00:00Z'));
    h.fake.control.expireTokens();
    await expect(h.adapter.listChanges(h.alice, 'primary', undefined)).resolves.toBeDefined();
  });

  test('our governor stops before DingTalk does, and keeps the reserve for push-driven work', async () => {
    const budget = new MonthlyBudgetGovernor({ monthlyQuota: 5, reserveShare: 0.4, clock });
    const governed = await startHarness({ clock, budget });
    try {
      for (let i = 0; i < 3; i++) await governed.adapter.listChanges(governed.alice, 'primary', undefined);
      await expect(governed.adapter.listChanges(governed.alice, 'primary', undefined)).rejects.toBeInstanceOf(
        QuotaExhaustedError,
      );
      expect(governed.fake.control.usage().metered).toBe(3);
      const pushDriven = () =>
        governed.adapter.listChanges({ ...governed.alice, priority: 'push' }, 'primary', undefined);
      await pushDriven();
      await pushDriven();
      await expect(pushDriven()).rejects.toBeInstanceOf(QuotaExhaustedError);
      expect(governed.fake.control.usage().metered).toBe(5);
    } finally {
      await governed.stop();
    }
  });

  test.each([
    ['systemBusy', '/topapi/v2/user/get'],
    ['serverError', '/topapi/v2/user/get'],
    ['timeout', '/topapi/v2/user/get'],
    ['ipBan', '/topapi/v2/user/get'],
  ] as const)('%s is a TransientRemoteError for the engine to retry', async (kind, path) => {
    h.fake.control.injectFault({ path, kind });
    await expect(h.directory.getUser('alice')).rejects.toBeInstanceOf(TransientRemoteError);
    expect(await h.directory.getUser('alice')).toBeDefined();
  });

  test('v1.0 faults too: system busy, 502 and a hung request', async () => {
    for (const fault of [
      { kind: 'systemBusy' },
      { kind: 'serverError', status: 502 },
      { kind: 'timeout' },
    ] as const) {
      h.fake.control.injectFault({ path: /\/events$/, method: 'GET', ...fault });
      await expect(h.adapter.listChanges(h.alice, 'primary', undefined)).rejects.toBeInstanceOf(
        TransientRemoteError,
      );
    }
  });

  test('latency delays the answer but changes nothing else; faults can be given over HTTP', async () => {
    const res = await fetch(`${h.fake.url}/_control/faults`, {
      method: 'POST',
      body: JSON.stringify({ path: 'user/get$', kind: 'latency', latencyMs: 150 }),
    });
    expect(res.status).toBe(204);
    const started = Date.now();
    expect(await h.directory.getUser('alice')).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
