import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { CallbackCryptoError, decryptPayload, signatureOf } from '../../../shared/ingress/dingtalk/crypto';
import {
  verifyDingTalkCallback,
  type CallbackVerdict,
} from '../../../shared/ingress/dingtalk/verify-callback';
import {
  AES_KEY,
  APP_KEY,
  CALENDAR_CHANGE,
  config,
  CORP_ID,
  NOW,
  signedEnvelope,
  signedRequest,
  TOKEN,
} from './support/dingtalk-fixtures';
import { fastCheckRuns, runsFrom } from '../../support/randomness';

const RUNS = fastCheckRuns(runsFrom('FUZZ_RUNS', 1000));
const CFG = config();

function expectRejected(verdict: CallbackVerdict, statuses: number[]): void {
  if (verdict.ok) throw new Error(`accepted a bad request as ${verdict.event.type}`);
  expect(statuses).toContain(verdict.status);
  expect(typeof verdict.reason).toBe('string');
}

/** A bad-but-authentic-looking request either fails with a 4xx or, if it happens to decode, is fully typed and ours. */
function expectRejectedOrSound(verdict: CallbackVerdict, statuses: number[]): void {
  if (!verdict.ok) return expectRejected(verdict, statuses);
  expect([APP_KEY, CORP_ID]).toContain(verdict.ownerKey);
  expect(typeof verdict.event.type).toBe('string');
}

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String(), fc.constant(''));
const paramName = fc.constantFrom('signature', 'msg_signature', 'timestamp', 'timeStamp', 'nonce', 'x');
const randomQuery = fc.oneof(
  fc.dictionary(paramName, anyText).map((record) => record as Record<string, string>),
  anyText.map((text) => new URLSearchParams(text)),
);
const randomBody = fc.oneof(
  anyText,
  fc.jsonValue().map((value) => JSON.stringify(value)),
  anyText.map((encrypt) => JSON.stringify({ encrypt })),
);
const randomContentType = fc.oneof(fc.constant('application/json'), fc.constant(undefined), anyText);
const eventPayload = fc.oneof(
  fc.constant('{"EventType":"check_url"}'),
  fc.constant(JSON.stringify(CALENDAR_CHANGE)),
  fc
    .array(fc.string(), { maxLength: 5 })
    .map((UserId) => JSON.stringify({ EventType: 'user_modify_org', UserId })),
);

function rawEncrypt(plain: Buffer, aesKey = AES_KEY): string {
  const key = Buffer.from(aesKey + '=', 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

const encryptOf = (req: { body: string }): string => JSON.parse(req.body).encrypt;

describe('DingTalk callback verifier under fuzzing', () => {
  it('rejects requests made of random parts with a 4xx and never throws', () => {
    fc.assert(
      fc.property(randomQuery, randomContentType, randomBody, (query, contentType, body) => {
        expectRejected(verifyDingTalkCallback({ query, contentType, body }, CFG), [400, 401, 403, 413, 415]);
      }),
      RUNS,
    );
  });

  it('rejects any content type that is not application/json with 415', () => {
    const notJson = anyText.filter((t) => t.split(';')[0]!.trim().toLowerCase() !== 'application/json');
    fc.assert(
      fc.property(notJson, (contentType) => {
        expectRejected(verifyDingTalkCallback({ ...signedRequest(), contentType }, CFG), [415]);
      }),
      RUNS,
    );
  });

  it('rejects genuine requests whose timestamp is outside the window, either way, with 401', () => {
    const skew = fc.oneof(
      fc.integer({ min: 3_600_001, max: 1e12 }),
      fc.integer({ min: -1e12, max: -3_600_001 }),
    );
    fc.assert(
      fc.property(skew, (offset) => {
        const timestamp = String(Math.max(0, NOW + offset));
        expectRejected(verifyDingTalkCallback(signedRequest({ timestamp }), CFG), [401]);
      }),
      RUNS,
    );
  });

  it('rejects truncated or bit-flipped ciphertexts under the original signature with 401', () => {
    fc.assert(
      fc.property(eventPayload, fc.nat(), fc.nat(7), fc.boolean(), (plainText, at, bit, truncate) => {
        const req = signedRequest({ plainText });
        const bytes = Buffer.from(encryptOf(req), 'base64');
        const index = at % bytes.length;
        const mutated = truncate ? bytes.subarray(0, index) : Buffer.from(bytes);
        if (!truncate) mutated[index]! ^= 1 << bit;
        const body = JSON.stringify({ encrypt: mutated.toString('base64') });
        expectRejected(verifyDingTalkCallback({ ...req, body }, CFG), [400, 401]);
      }),
      RUNS,
    );
  });

  it('never throws on truncated or bit-flipped ciphertexts re-signed with the right token', () => {
    const statuses = new Set<number>();
    fc.assert(
      fc.property(eventPayload, fc.nat(), fc.nat(7), fc.boolean(), (plainText, at, bit, truncate) => {
        const bytes = Buffer.from(encryptOf(signedRequest({ plainText })), 'base64');
        const index = at % bytes.length;
        const mutated = truncate ? bytes.subarray(0, index) : Buffer.from(bytes);
        if (!truncate) mutated[index]! ^= 1 << bit;
        const verdict = verifyDingTalkCallback(signedEnvelope(mutated.toString('base64')), CFG);
        statuses.add(verdict.ok ? 200 : verdict.status);
        expectRejectedOrSound(verdict, [400, 403]);
      }),
      RUNS,
    );
    // CBC is malleable: a flip in the first block only garbles the ignored random prefix, so some pass. The
    // signature, not the cipher, is what authenticates; this test only proves nothing throws or slips through half-typed.
    expect(statuses.has(400)).toBe(true);
  });

  it('rejects correctly signed garbage in encrypt with 400 or 403', () => {
    const garbage = fc.oneof(
      anyText.filter((t) => t.length > 0),
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc
        .integer({ min: 1, max: 12 })
        .chain((blocks) =>
          fc
            .uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })
            .map((b) => Buffer.from(b).toString('base64')),
        ),
    );
    fc.assert(
      fc.property(garbage, (encrypt) => {
        expectRejected(verifyDingTalkCallback(signedEnvelope(encrypt), CFG), [400, 403]);
      }),
      RUNS,
    );
  });

  it('rejects payloads encrypted with any other aes key', () => {
    const otherKey = fc.stringMatching(/^[A-Za-z0-9]{43}$/).filter((key) => key !== AES_KEY);
    fc.assert(
      fc.property(otherKey, eventPayload, (aesKey, plainText) => {
        expectRejected(verifyDingTalkCallback(signedRequest({ aesKey, plainText }), CFG), [400, 403]);
      }),
      RUNS,
    );
  });

  it('rejects length fields larger than what was decrypted, up to 0xFFFFFFFF, with 400', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        (rest, excess) => {
          const claimed = Math.min(0xffffffff, rest.length + excess);
          const length = Buffer.alloc(4);
          length.writeUInt32BE(claimed);
          const plain = Buffer.concat([Buffer.alloc(16, 0x61), length, Buffer.from(rest)]);
          const pad = 32 - (plain.length % 32);
          const encrypt = rawEncrypt(Buffer.concat([plain, Buffer.alloc(pad, pad)]));
          const verdict = verifyDingTalkCallback(signedEnvelope(encrypt), CFG);
          expect(verdict).toEqual({
            ok: false,
            status: 400,
            reason: 'payload does not decrypt: bad_length_field',
          });
        },
      ),
      RUNS,
    );
  });

  it('accepts genuine requests with any JSON object holding a non-empty string EventType, rejects other JSON with 400', () => {
    const decrypted = fc.oneof(
      fc.jsonValue(),
      fc.record({ EventType: fc.string({ unit: 'binary' }) }, { requiredKeys: [] }),
      fc.record({
        EventType: fc.constantFrom('calendar_event_change', 'user_add_org'),
        UserId: fc.jsonValue(),
        UnionIdList: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(decrypted, fc.constantFrom(APP_KEY, CORP_ID), (payload, ownerKey) => {
        const verdict = verifyDingTalkCallback(
          signedRequest({ plainText: JSON.stringify(payload), ownerKey }),
          CFG,
        );
        const isEvent =
          typeof payload === 'object' &&
          payload !== null &&
          !Array.isArray(payload) &&
          typeof (payload as Record<string, unknown>)['EventType'] === 'string' &&
          ((payload as Record<string, unknown>)['EventType'] as string).length > 0;
        if (isEvent) expect(verdict).toMatchObject({ ok: true, ownerKey });
        else expectRejected(verdict, [400]);
      }),
      RUNS,
    );
  });

  it('accepts every genuine request, whatever its text, nonce and timestamp inside the window', () => {
    const text = fc.string({ unit: 'binary', maxLength: 200 });
    const nonce = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
    fc.assert(
      fc.property(text, nonce, fc.integer({ min: -3_600_000, max: 3_600_000 }), (summary, n, offset) => {
        const plainText = JSON.stringify({ ...CALENDAR_CHANGE, Summary: summary });
        const verdict = verifyDingTalkCallback(
          signedRequest({ plainText, nonce: n, timestamp: String(NOW + offset) }),
          CFG,
        );
        expect(verdict).toMatchObject({ ok: true, event: { type: 'calendar_event_change' }, nonce: n });
      }),
      RUNS,
    );
  });
});

describe('decryptPayload under fuzzing', () => {
  it('either decrypts or throws a CallbackCryptoError, nothing else', () => {
    const input = fc.oneof(
      anyText,
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('base64')),
    );
    fc.assert(
      fc.property(input, (encrypt) => {
        try {
          decryptPayload(encrypt, AES_KEY);
        } catch (error) {
          expect(error).toBeInstanceOf(CallbackCryptoError);
        }
      }),
      RUNS,
    );
  });
});

test('signatureOf is what the fixtures sign with (guards the fuzz helpers)', () => {
  const req = signedEnvelope('abc');
  const q = req.query as URLSearchParams;
  expect(q.get('signature')).toBe(signatureOf(TOKEN, q.get('timestamp')!, q.get('nonce')!, 'abc'));
});
