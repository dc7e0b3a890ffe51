import {
  type BudgetPriority,
  MonthlyBudgetGovernor,
} from '../../../shared/connectors/dingtalk/budget-governor';
import { QuotaExhaustedError } from '../../../shared/connectors/dingtalk/errors';
import { DingTalkHttpClient } from '../../../shared/connectors/dingtalk/http-client';
import { QpsLimiter } from '../../../shared/connectors/dingtalk/qps-limiter';
import type { AccessTokenSource } from '../../../shared/connectors/dingtalk/token-provider';
import { ManualClock } from '../../../shared/platform/clock';
import { NotFoundRemoteError, PermanentRemoteError, TransientRemoteError } from '../../../shared/sync/types';
import { type Answer, scriptedFetch } from './stub-fetch';

/** Hands out tok-1, tok-2, … and remembers which were invalidated. */
class CountingTokens implements AccessTokenSource {
  private n = 1;
  invalidated: string[] = [];
  async getToken() {
    return `tok-${this.n}`;
  }
  invalidate(token: string) {
    this.invalidated.push(token);
    if (token === `tok-${this.n}`) this.n++;
  }
}

const EVENT = '/v1.0/calendar/users/{userId}/calendars/{calendarId}/events/{eventId}';

function setup(answers: Answer[], extra: { budget?: MonthlyBudgetGovernor; timeoutMs?: number } = {}) {
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    clock.advance(ms);
  };
  const tokens = new CountingTokens();
  const { fetch, calls } = scriptedFetch(answers);
  const client = new DingTalkHttpClient({
    apiBase: 'https://api.example',
    oapiBase: 'https://oapi.example',
    tokens,
    clock,
    sleep,
    fetch,
    budget: extra.budget,
    requestTimeoutMs: extra.timeoutMs,
    limiter: new QpsLimiter({ clock, sleep }),
  });
  const getEvent = (priority?: BudgetPriority) =>
    client.v1({
      method: 'GET',
      path: EVENT,
      params: { userId: 'u/1', calendarId: 'primary', eventId: 'e1' },
      priority,
    });
  const getUser = (priority?: BudgetPriority) =>
    client.oapi('/topapi/v2/user/get', { userid: 'u1' }, priority);
  return { client, calls, tokens, slept, clock, getEvent, getUser };
}

const v1Error = (status: number, code: string, message = 'm'): Answer => ({
  status,
  json: { code, message, requestid: 'REQ-1' },
});
const oapiError = (errcode: number, errmsg = 'm'): Answer => ({
  status: 200,
  json: { errcode, errmsg, request_id: 'r' },
});
const OK_V1: Answer = { status: 200, json: { id: 'e1' } };
const OK_OAPI: Answer = { status: 200, json: { errcode: 0, errmsg: 'ok', result: { userid: 'u1' } } };

describe('DingTalk HTTP client: requests', () => {
  test('v1.0 carries the token in x-acs-dingtalk-access-token, oapi in ?access_token; path params are encoded', async () => {
    const { calls, getEvent, getUser } = setup([OK_V1, OK_OAPI]);
    expect(await getEvent()).toEqual({ id: 'e1' });
    expect(calls[0]!.url).toBe('https://api.example/v1.0/calendar/users/u%2F1/calendars/primary/events/e1');
    expect(calls[0]!.headers['x-acs-dingtalk-access-token']).toBe('tok-1');
    expect(await getUser()).toMatchObject({ result: { userid: 'u1' } });
    expect(calls[1]!.url).toBe('https://oapi.example/topapi/v2/user/get?access_token=tok-1');
    expect(JSON.parse(calls[1]!.body!)).toEqual({ userid: 'u1' });
  });

  test('204 resolves to undefined', async () => {
    const { client } = setup([{ status: 204 }]);
    await expect(
      client.v1({
        method: 'DELETE',
        path: EVENT,
        params: { userId: 'u', calendarId: 'primary', eventId: 'e' },
      }),
    ).resolves.toBeUndefined();
  });
});

describe('DingTalk HTTP client: error mapping', () => {
  test.each([
    ['v1.0 400 InvalidAuthentication', v1Error(400, 'InvalidAuthentication', '不合法的access_token')],
    ['v1.0 401', v1Error(401, 'Unauthorized')],
  ])('%s: the token is dropped and the call retried once with a new one', async (_, failure) => {
    const { calls, tokens, getEvent } = setup([failure, OK_V1]);
    expect(await getEvent()).toEqual({ id: 'e1' });
    expect(tokens.invalidated).toEqual(['tok-1']);
    expect(calls[1]!.headers['x-acs-dingtalk-access-token']).toBe('tok-2');
  });

  test.each([40001, 40014])('oapi errcode %i: refresh once and retry', async (errcode) => {
    const { calls, getUser } = setup([oapiError(errcode), OK_OAPI]);
    await getUser();
    expect(calls[1]!.url).toContain('access_token=tok-2');
  });

  test('a second auth failure in a row is permanent (no loop)', async () => {
    const { calls, getUser } = setup([oapiError(40014), oapiError(40014)]);
    await expect(getUser()).rejects.toBeInstanceOf(PermanentRemoteError);
    expect(calls).toHaveLength(2);
  });

  test.each([
    ['oapi 90018', oapiError(90018), 'oapi'],
    ['oapi 90002', oapiError(90002), 'oapi'],
    ['v1.0 QpsLimitForAppkeyAndApi', v1Error(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi'), 'v1'],
    ['v1.0 QpsLimitForApi', v1Error(403, 'Forbidden.AccessDenied.QpsLimitForApi'), 'v1'],
  ])('%s: waits at least a second, retries, and succeeds', async (_, failure, family) => {
    const { slept, getEvent, getUser } = setup([failure, failure, family === 'oapi' ? OK_OAPI : OK_V1]);
    await (family === 'oapi' ? getUser() : getEvent());
    expect(slept.filter((ms) => ms >= 1000)).toHaveLength(2);
  });

  test('QPS refusals beyond the retry budget become a TransientRemoteError', async () => {
    const { calls, getUser } = setup([
      oapiError(90018),
      oapiError(90018),
      oapiError(90018),
      oapiError(90018),
    ]);
    const err = await getUser().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect((err as TransientRemoteError).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(calls).toHaveLength(4);
  });

  test.each([
    ['oapi 90020', oapiError(90020), 'oapi'],
    ['v1.0 ApiCountLimitForOrg', v1Error(403, 'Forbidden.AccessDenied.ApiCountLimitForOrg'), 'v1'],
  ])(
    '%s: QuotaExhaustedError until the China-time month rolls; the budget is marked spent',
    async (_, failure, family) => {
      const budget = new MonthlyBudgetGovernor({
        monthlyQuota: 5000,
        clock: new ManualClock(Date.parse('2026-11-22T08:00:00Z')),
      });
      const { getEvent, getUser } = setup([failure], { budget });
      const call = family === 'oapi' ? getUser : getEvent;
      const err = (await call('push').catch((e: unknown) => e)) as QuotaExhaustedError;
      expect(err).toBeInstanceOf(QuotaExhaustedError);
      expect(err).toBeInstanceOf(TransientRemoteError);
      expect(err.resumesAt).toBe('2026-11-30T16:00:00.000Z');
      expect(err.retryAfterMs).toBe(Date.parse('2026-11-30T16:00:00Z') - Date.parse('2026-11-22T08:00:00Z'));
      expect((await budget.status()).remaining).toBe(0);
    },
  );

  test.each([
    ['oapi -1 system busy', oapiError(-1, '系统繁忙'), 'oapi'],
    ['v1.0 503', v1Error(503, 'ServiceUnavailable'), 'v1'],
    ['v1.0 500 without JSON', { status: 500, text: 'Internal Server Error' }, 'v1'],
    ['oapi 502 without JSON', { status: 502, text: 'Bad Gateway' }, 'oapi'],
    ['v1.0 429', v1Error(429, 'Throttling'), 'v1'],
    ['network failure', { throws: new TypeError('fetch failed') }, 'v1'],
  ] as Array<[string, Answer, 'v1' | 'oapi']>)('%s is transient', async (_, failure, family) => {
    const { getEvent, getUser } = setup([failure]);
    await expect(family === 'oapi' ? getUser() : getEvent()).rejects.toBeInstanceOf(TransientRemoteError);
  });

  test('a request that outlives the timeout is transient', async () => {
    const { getEvent } = setup([{ hang: true }], { timeoutMs: 50 });
    const err = await getEvent().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect((err as Error).message).toMatch(/Timeout/);
  });

  test('the per-IP ban page is transient with a five-minute wait', async () => {
    const { getEvent } = setup([
      { status: 403, json: { status: 1111, wait: 5, source: 'x5', punish: 'deny' } },
    ]);
    const err = (await getEvent().catch((e: unknown) => e)) as TransientRemoteError;
    expect(err).toBeInstanceOf(TransientRemoteError);
    expect(err.retryAfterMs).toBe(300_000);
  });

  test.each([
    ['v1.0 instanceNotExist', v1Error(400, 'instanceNotExist'), 'v1'],
    ['v1.0 404', v1Error(404, 'NotFound'), 'v1'],
    ['oapi 60121 user not found', oapiError(60121, '找不到该用户'), 'oapi'],
    ['oapi 60003 department not found', oapiError(60003, '部门不存在'), 'oapi'],
  ])('%s is NotFoundRemoteError', async (_, failure, family) => {
    const { getEvent, getUser } = setup([failure]);
    await expect(family === 'oapi' ? getUser() : getEvent()).rejects.toBeInstanceOf(NotFoundRemoteError);
  });

  test('any other refusal is permanent and keeps the code and status', async () => {
    const { getEvent } = setup([v1Error(403, 'forbidden.notOrganizer', '只有日程组织者可以修改日程')]);
    const err = (await getEvent().catch((e: unknown) => e)) as PermanentRemoteError;
    expect(err).toBeInstanceOf(PermanentRemoteError);
    expect(err.remoteCode).toBe('forbidden.notOrganizer');
    expect(err.status).toBe(403);
    const oapi = setup([oapiError(60011, 'no permission')]);
    const err2 = (await oapi.getUser().catch((e: unknown) => e)) as PermanentRemoteError;
    expect(err2.remoteCode).toBe('60011');
  });
});

describe('DingTalk HTTP client: budget', () => {
  test('only metered APIs are counted; contacts and tokens are exempt', async () => {
    const budget = new MonthlyBudgetGovernor({ monthlyQuota: 100, reserveShare: 0 });
    const { getEvent, getUser } = setup([OK_V1, OK_OAPI, OK_V1], { budget });
    await getEvent();
    await getUser();
    await getEvent();
    expect((await budget.status()).used).toBe(2);
  });

  test.each([
    ['a QPS refusal', [v1Error(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi'), OK_V1]],
    [
      'two QPS refusals',
      [
        v1Error(403, 'Forbidden.AccessDenied.QpsLimitForApi'),
        v1Error(403, 'Forbidden.AccessDenied.QpsLimitForApi'),
        OK_V1,
      ],
    ],
    ['a refused token', [v1Error(401, 'Unauthorized'), OK_V1]],
  ] as Array<[string, Answer[]]>)('a call retried after %s is counted once', async (_, answers) => {
    const budget = new MonthlyBudgetGovernor({ monthlyQuota: 100, reserveShare: 0 });
    const { calls, getEvent } = setup(answers, { budget });
    expect(await getEvent()).toEqual({ id: 'e1' });
    expect(calls).toHaveLength(answers.length);
    expect((await budget.status()).used).toBe(1);
  });

  test('the last metered call of the month still gets its QPS retries', async () => {
    const budget = new MonthlyBudgetGovernor({ monthlyQuota: 1, reserveShare: 0 });
    const { calls, getEvent } = setup(
      [v1Error(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi'), OK_V1],
      {
        budget,
      },
    );
    expect(await getEvent()).toEqual({ id: 'e1' });
    expect(calls).toHaveLength(2);
  });

  test('when our own budget is spent, no request is sent at all', async () => {
    const budget = new MonthlyBudgetGovernor({ monthlyQuota: 1, reserveShare: 0 });
    const { calls, getEvent } = setup([OK_V1], { budget });
    await getEvent();
    await expect(getEvent()).rejects.toBeInstanceOf(QuotaExhaustedError);
    expect(calls).toHaveLength(1);
  });
});
