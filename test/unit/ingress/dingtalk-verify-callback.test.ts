import { verifyDingTalkCallback } from '../../../shared/ingress/dingtalk/verify-callback';
import { decryptPayload, encryptPayload, signatureOf } from '../../../shared/ingress/dingtalk/crypto';
import {
  AES_KEY,
  APP_KEY,
  CALENDAR_CHANGE,
  config,
  CORP_ID,
  NOW,
  OTHER_AES_KEY,
  signedEnvelope,
  signedRequest,
  TOKEN,
} from './support/dingtalk-fixtures';

const rejection = (verdict: ReturnType<typeof verifyDingTalkCallback>) =>
  verdict.ok ? { status: 200, reason: 'accepted' } : { status: verdict.status, reason: verdict.reason };

describe('verifyDingTalkCallback accepts', () => {
  it('a genuine check_url push and reports the ownerKey it came with', () => {
    const verdict = verifyDingTalkCallback(signedRequest(), config());
    expect(verdict).toMatchObject({
      ok: true,
      event: { type: 'check_url' },
      ownerKey: APP_KEY,
      nonce: 'n0nce123',
    });
  });

  it('either configured owner key (appKey for console pushes, corpId for register_call_back)', () => {
    const verdict = verifyDingTalkCallback(signedRequest({ ownerKey: CORP_ID }), config());
    expect(verdict).toMatchObject({ ok: true, ownerKey: CORP_ID });
  });

  it('a calendar change with CJK text and %', () => {
    const plainText = JSON.stringify({ ...CALENDAR_CHANGE, Summary: '周会 100% 完成' });
    const verdict = verifyDingTalkCallback(signedRequest({ plainText }), config());
    expect(verdict).toMatchObject({
      ok: true,
      event: {
        type: 'calendar_event_change',
        calendarEventId: 'RVNUZllHKelEydz09',
        unionIds: ['QQamYiE', 'Zk2aiEiE'],
      },
    });
  });

  it('the legacy names msg_signature and timeStamp', () => {
    const req = signedRequest();
    const q = req.query as URLSearchParams;
    const legacy = new URLSearchParams({
      msg_signature: q.get('signature')!,
      timeStamp: q.get('timestamp')!,
      nonce: q.get('nonce')!,
    });
    expect(verifyDingTalkCallback({ ...req, query: legacy }, config()).ok).toBe(true);
  });

  it('a plain object as query, an uppercase signature and a charset on the content type', () => {
    const req = signedRequest({ contentType: 'Application/JSON; charset=utf-8' });
    const q = req.query as URLSearchParams;
    const query = {
      signature: q.get('signature')!.toUpperCase(),
      timestamp: q.get('timestamp')!,
      nonce: q.get('nonce')!,
    };
    expect(verifyDingTalkCallback({ ...req, query }, config()).ok).toBe(true);
  });

  it('timestamps right at both edges of the window', () => {
    for (const timestamp of [String(NOW - 3_600_000), String(NOW + 3_600_000)]) {
      expect(verifyDingTalkCallback(signedRequest({ timestamp }), config()).ok).toBe(true);
    }
  });

  it('extra keys in the envelope (some pushes add corpId)', () => {
    const req = signedRequest();
    const body = JSON.stringify({ ...JSON.parse(req.body), corpId: CORP_ID });
    expect(verifyDingTalkCallback({ ...req, body }, config()).ok).toBe(true);
  });

  it('the public vector V1 with its own token, key and timestamp', () => {
    const v1 = {
      query: {
        signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb',
        timestamp: '1608001896814',
        nonce: 'WL4PK6yA',
      },
      contentType: 'application/json',
      body: JSON.stringify({
        encrypt:
          '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3',
      }),
    };
    const cfg = config({ token: 'mryue', ownerKeys: ['ding6ccabc44d2c8d38b'], now: 1608001896814 + 5000 });
    expect(verifyDingTalkCallback(v1, cfg)).toMatchObject({ ok: true, event: { type: 'check_url' } });
  });
});

describe('verifyDingTalkCallback rejects', () => {
  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['a json look-alike', 'application/jsonp'],
    ['form data', 'application/x-www-form-urlencoded'],
  ])('%s with 415', (_name, contentType) => {
    const req = { ...signedRequest(), contentType };
    expect(rejection(verifyDingTalkCallback(req, config()))).toMatchObject({ status: 415 });
  });

  it('a body over the cap with 413, counting UTF-8 bytes not characters', () => {
    const req = signedRequest();
    const padded = { ...req, body: req.body.replace('{', '{"pad":"' + '中'.repeat(22_000) + '",') };
    expect(padded.body.length).toBeLessThan(64 * 1024);
    expect(rejection(verifyDingTalkCallback(padded, config()))).toMatchObject({ status: 413 });
    expect(rejection(verifyDingTalkCallback(req, config({ maxBodyBytes: 10 })))).toMatchObject({
      status: 413,
    });
  });

  it.each(['signature', 'timestamp', 'nonce'])('a request without %s with 400', (name) => {
    const req = signedRequest();
    const query = new URLSearchParams(req.query as URLSearchParams);
    query.delete(name);
    expect(rejection(verifyDingTalkCallback({ ...req, query }, config()))).toMatchObject({ status: 400 });
  });

  it('a repeated or empty parameter with 400', () => {
    const req = signedRequest();
    const repeated = new URLSearchParams(req.query as URLSearchParams);
    repeated.append('nonce', 'other');
    expect(rejection(verifyDingTalkCallback({ ...req, query: repeated }, config()))).toMatchObject({
      status: 400,
    });
    const empty = new URLSearchParams(req.query as URLSearchParams);
    empty.set('nonce', '');
    expect(rejection(verifyDingTalkCallback({ ...req, query: empty }, config()))).toMatchObject({
      status: 400,
    });
  });

  it('a timestamp that is not digits with 400', () => {
    for (const timestamp of ['1.6e12', '-1', 'abc', '12345678901234567']) {
      expect(rejection(verifyDingTalkCallback(signedRequest({ timestamp }), config()))).toMatchObject({
        status: 400,
      });
    }
  });

  it('timestamps just outside the window, past and future, with 401', () => {
    for (const timestamp of [
      String(NOW - 3_600_001),
      String(NOW + 3_600_001),
      String(Math.floor(NOW / 1000)),
    ]) {
      const verdict = verifyDingTalkCallback(signedRequest({ timestamp }), config());
      expect(rejection(verdict)).toEqual({ status: 401, reason: 'timestamp is outside the accepted window' });
    }
  });

  it('a body that is not JSON or lacks encrypt with 400', () => {
    const req = signedRequest();
    for (const body of [
      '',
      'not json',
      '[]',
      'null',
      '{"encrypt":5}',
      '{"encrypt":""}',
      '{"Encrypt":"abc"}',
    ]) {
      expect(rejection(verifyDingTalkCallback({ ...req, body }, config()))).toMatchObject({ status: 400 });
    }
  });

  it('a signature made with another token with 401', () => {
    const verdict = verifyDingTalkCallback(signedRequest({ token: 'someone-else' }), config());
    expect(rejection(verdict)).toEqual({ status: 401, reason: 'signature does not match' });
  });

  it('a valid signature reused with a different timestamp or nonce (replay with fresh time) with 401', () => {
    const req = signedRequest({ timestamp: String(NOW - 10_000) });
    const query = new URLSearchParams(req.query as URLSearchParams);
    query.set('timestamp', String(NOW));
    expect(rejection(verifyDingTalkCallback({ ...req, query }, config()))).toMatchObject({ status: 401 });
  });

  it('a different encrypt under an old signature with 401', () => {
    const req = signedRequest();
    const body = JSON.stringify({ encrypt: encryptPayload('{"EventType":"check_url"}', AES_KEY, APP_KEY) });
    expect(rejection(verifyDingTalkCallback({ ...req, body }, config()))).toMatchObject({ status: 401 });
  });

  it('a correctly signed payload encrypted with another aes key with 400 (or 403 if it decrypts by chance)', () => {
    const verdict = verifyDingTalkCallback(signedRequest({ aesKey: OTHER_AES_KEY }), config());
    expect(verdict.ok).toBe(false);
    expect([400, 403]).toContain(rejection(verdict).status);
  });

  it('a correctly signed envelope whose encrypt is not base64 with 400', () => {
    const verdict = verifyDingTalkCallback(signedEnvelope('!!!not base64!!!'), config());
    expect(rejection(verdict)).toEqual({ status: 400, reason: 'payload does not decrypt: bad_base64' });
  });

  it('a payload for another app or organisation with 403', () => {
    const verdict = verifyDingTalkCallback(signedRequest({ ownerKey: 'dingSomeoneElse' }), config());
    expect(rejection(verdict)).toMatchObject({ status: 403 });
  });

  it('an ownerKey that only shares a prefix with ours with 403', () => {
    const verdict = verifyDingTalkCallback(signedRequest({ ownerKey: APP_KEY + 'x' }), config());
    expect(rejection(verdict)).toMatchObject({ status: 403 });
  });

  it.each(['not json', '[]', '{"Type":"check_url"}', '{"EventType":""}', '{"EventType":5}', '"check_url"'])(
    'decrypted text %j with 400',
    (plainText) => {
      expect(rejection(verifyDingTalkCallback(signedRequest({ plainText }), config()))).toMatchObject({
        status: 400,
      });
    },
  );

  it('throws (a 500 for the caller) when our own configuration is unusable, before looking at the request', () => {
    expect(() => verifyDingTalkCallback(signedRequest(), config({ aesKey: 'short' }))).toThrow(/aes_key/);
    expect(() => verifyDingTalkCallback(signedRequest(), config({ token: '' }))).toThrow(/token/);
    expect(() => verifyDingTalkCallback(signedRequest(), config({ ownerKeys: [] }))).toThrow(/owner/);
  });
});

test('the fixture helpers build what DingTalk builds (sanity check of the test support itself)', () => {
  const req = signedRequest();
  const q = req.query as URLSearchParams;
  const encrypt = JSON.parse(req.body).encrypt as string;
  expect(q.get('signature')).toBe(signatureOf(TOKEN, q.get('timestamp')!, q.get('nonce')!, encrypt));
  expect(decryptPayload(encrypt, AES_KEY)).toEqual({
    plainText: '{"EventType":"check_url"}',
    ownerKey: APP_KEY,
  });
});
