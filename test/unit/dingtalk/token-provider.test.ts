import { DingTalkTokenProvider } from '../../../shared/connectors/dingtalk/token-provider';
import { ManualClock } from '../../../shared/platform/clock';
import { redactText } from '../../../shared/platform/logger';
import { PermanentRemoteError, TransientRemoteError } from '../../../shared/sync/types';
import { scriptedFetch, tokenAnswer } from './stub-fetch';

const credentials = { apiBase: 'https://api.example', appKey: 'dingkey', appSecret: 'the-app-secret' };

describe('DingTalk token provider', () => {
  test('asks with JSON {appKey, appSecret}, caches, and renews 5 minutes before expiry', async () => {
    const clock = new ManualClock();
    const { fetch, calls } = scriptedFetch([tokenAnswer('tok-1'), tokenAnswer('tok-2')]);
    const tokens = new DingTalkTokenProvider(credentials, { clock, fetch });
    expect(await tokens.getToken()).toBe('tok-1');
    expect(calls[0]).toMatchObject({ url: 'https://api.example/v1.0/oauth2/accessToken', method: 'POST' });
    expect(calls[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(calls[0]!.body!)).toEqual({ appKey: 'dingkey', appSecret: 'the-app-secret' });

    clock.advance((7200 - 301) * 1000);
    expect(await tokens.getToken()).toBe('tok-1');
    clock.advance(2000);
    expect(await tokens.getToken()).toBe('tok-2');
    expect(tokens.requestCount).toBe(2);
  });

  test('concurrent callers share one token request', async () => {
    const { fetch, calls } = scriptedFetch([tokenAnswer('tok-1')]);
    const tokens = new DingTalkTokenProvider(credentials, { fetch });
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
    expect(new Set(all)).toEqual(new Set(['tok-1']));
    expect(calls).toHaveLength(1);
  });

  test('invalidate drops only the token that failed', async () => {
    const { fetch } = scriptedFetch([tokenAnswer('tok-1'), tokenAnswer('tok-2')]);
    const tokens = new DingTalkTokenProvider(credentials, { fetch });
    await tokens.getToken();
    tokens.invalidate('some-older-token');
    expect(await tokens.getToken()).toBe('tok-1');
    tokens.invalidate('tok-1');
    expect(await tokens.getToken()).toBe('tok-2');
  });

  test('the token and the app secret never reach a log line', async () => {
    const { fetch } = scriptedFetch([tokenAnswer('fw8e1234secrettoken')]);
    const tokens = new DingTalkTokenProvider(credentials, { fetch });
    await tokens.getToken();
    expect(redactText('sent fw8e1234secrettoken with the-app-secret')).toBe(
      'sent [redacted] with [redacted]',
    );
  });

  test('a refused secret is permanent; 5xx, QPS and network failures are transient', async () => {
    const refuse = scriptedFetch([
      { status: 400, json: { code: 'invalidClientSecret', message: '无效的clientSecret', requestid: 'r' } },
    ]);
    const refused = await new DingTalkTokenProvider(credentials, { fetch: refuse.fetch })
      .getToken()
      .catch((e) => e);
    expect(refused).toBeInstanceOf(PermanentRemoteError);
    expect(refused.remoteCode).toBe('invalidClientSecret');

    for (const answer of [
      { status: 503, text: 'busy' },
      { status: 403, json: { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: 'qps' } },
      { throws: new TypeError('fetch failed') },
    ]) {
      const { fetch } = scriptedFetch([answer]);
      await expect(new DingTalkTokenProvider(credentials, { fetch }).getToken()).rejects.toBeInstanceOf(
        TransientRemoteError,
      );
    }
  });
});
