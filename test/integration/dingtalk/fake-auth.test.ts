import { ManualClock } from '../../../shared/platform/clock';
import { type Harness, APP, startHarness } from './support/harness';

const EVENTS = (unionId: string) => `/v1.0/calendar/users/${unionId}/calendars/primary/events`;

describe('fake DingTalk: tokens and their errors', () => {
  let h: Harness;
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  beforeEach(async () => {
    h = await startHarness({ clock });
  });
  afterEach(() => h.stop());

  const post = (path: string, body: string, contentType: string) =>
    fetch(`${h.fake.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  test('accessToken takes JSON only: a form-encoded body gets 400 MissingBody', async () => {
    const form = await post(
      '/v1.0/oauth2/accessToken',
      `appKey=${APP.appKey}&appSecret=${APP.appSecret}`,
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({
      code: 'MissingBody',
      message: 'body is mandatory for this action.',
    });

    const json = await post(
      '/v1.0/oauth2/accessToken',
      JSON.stringify({ appKey: APP.appKey, appSecret: APP.appSecret }),
      'application/json',
    );
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({
      accessToken: expect.stringMatching(/^[0-9a-f]{32}$/),
      expireIn: 7200,
    });
  });

  test('a wrong secret gets the v1.0 error shape {code, requestid, message}', async () => {
    const res = await post(
      '/v1.0/oauth2/accessToken',
      JSON.stringify({ appKey: APP.appKey, appSecret: 'nope' }),
      'application/json',
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'message', 'requestid']);
    expect(body.code).toBe('invalidClientSecret');
  });

  test('gettoken (old) returns the same token while it is valid', async () => {
    const first = (await (
      await fetch(`${h.fake.url}/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`)
    ).json()) as Record<string, unknown>;
    expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    const second = await h.tokens.getToken();
    expect(second).toBe(first.access_token);
  });

  test('an expired token: v1.0 answers 400 InvalidAuthentication, oapi errcode 40001; unknown tokens 40014', async () => {
    const token = await h.tokens.getToken();
    clock.advance(7200 * 1000);
    const v1 = await fetch(`${h.fake.url}${EVENTS(h.alice.dingtalkUnionId)}`, {
      headers: { 'x-acs-dingtalk-access-token': token },
    });
    expect(v1.status).toBe(400);
    expect(await v1.json()).toMatchObject({ code: 'InvalidAuthentication', requestid: expect.any(String) });
    const oapi = await post(
      `/topapi/v2/user/get?access_token=${token}`,
      '{"userid":"alice"}',
      'application/json',
    );
    expect(oapi.status).toBe(200);
    expect(await oapi.json()).toMatchObject({ errcode: 40001 });
    const unknown = await post(
      '/topapi/v2/user/get?access_token=made-up',
      '{"userid":"alice"}',
      'application/json',
    );
    expect(await unknown.json()).toMatchObject({ errcode: 40014 });
  });

  test('the project client renews before expiry and recovers transparently from a token DingTalk dropped', async () => {
    const first = await h.tokens.getToken();
    clock.advance((7200 - 200) * 1000);
    const renewed = await h.tokens.getToken();
    expect(renewed).toBe(first); // DingTalk hands out the same token while it is valid, with a fresh lifetime
    expect(h.tokens.requestCount).toBe(2);

    h.fake.control.expireTokens();
    expect(await h.directory.getUser('alice')).toMatchObject({ userid: 'alice' });
    expect(h.tokens.requestCount).toBe(3);
  });

  test('with a short lifetime, the token is refreshed between calls without an error', async () => {
    h.fake.control.setTokenLifetime(600);
    await h.tokens.getToken();
    h.fake.control.expireTokens();
    await h.adapter.listChanges(h.alice, 'primary', undefined);
    clock.advance(400 * 1000);
    await h.adapter.listChanges(h.alice, 'primary', undefined);
    const refusals = h.fake.control.exchanges().filter((x) => x.status === 400);
    expect(refusals).toHaveLength(1);
  });
});
