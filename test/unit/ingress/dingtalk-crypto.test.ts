import {
  CallbackCryptoError,
  decryptPayload,
  encryptPayload,
  signatureOf,
  signaturesMatch,
} from '../../../shared/ingress/dingtalk/crypto';
import { createCipheriv } from 'node:crypto';
import { DINGTALK_CALLBACK_VECTORS } from '../../fixtures/dingtalk-callback-vectors';

const [V1, V2] = DINGTALK_CALLBACK_VECTORS;

function failureOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CallbackCryptoError) return error.failure;
    throw error;
  }
  throw new Error('expected a CallbackCryptoError');
}

/** Encrypts hand-built plaintext bytes with the DingTalk key/IV so malformed layouts can be tested. */
function rawEncrypt(plain: Buffer, aesKey: string): string {
  const key = Buffer.from(aesKey + '=', 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

describe.each([
  ['V1', V1],
  ['V2', V2],
])('public test vector %s', (_name, v) => {
  it('decrypts the published ciphertext to the plaintext and ownerKey', () => {
    expect(decryptPayload(v.encrypt, v.aesKey)).toEqual({ plainText: v.message, ownerKey: v.ownerKey });
  });

  it('reproduces the published ciphertext byte for byte from the recovered random', () => {
    expect(encryptPayload(v.message, v.aesKey, v.ownerKey, Buffer.from(v.random, 'ascii'))).toBe(v.encrypt);
  });

  it('reproduces the published signature', () => {
    expect(signatureOf(v.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.signature);
  });
});

describe('round trip', () => {
  it.each([
    '{"Title":"周会 第三季度","Name":"张三"}',
    'discount 100% off %E4%B8%AD %',
    '',
    '🎉 emoji and 中文 mixed',
  ])('keeps %j intact', (text) => {
    const encrypted = encryptPayload(text, V1.aesKey, 'dingAppKey中', undefined);
    expect(decryptPayload(encrypted, V1.aesKey)).toEqual({ plainText: text, ownerKey: 'dingAppKey中' });
  });

  it('pads to 32-byte blocks', () => {
    for (let n = 0; n < 70; n++) {
      expect(Buffer.from(encryptPayload('x'.repeat(n), V1.aesKey, 'k'), 'base64').length % 32).toBe(0);
    }
  });

  it('uses a fresh random prefix each time unless one is given', () => {
    expect(encryptPayload('a', V1.aesKey, 'k')).not.toBe(encryptPayload('a', V1.aesKey, 'k'));
  });

  it('rejects a random prefix that is not 16 bytes', () => {
    expect(failureOf(() => encryptPayload('a', V1.aesKey, 'k', Buffer.alloc(15)))).toBe('bad_random');
  });
});

describe('decryptPayload rejects', () => {
  it('an aes key that is not 43 alphanumerics', () => {
    expect(failureOf(() => decryptPayload(V1.encrypt, V1.aesKey.slice(1)))).toBe('bad_aes_key');
    expect(failureOf(() => decryptPayload(V1.encrypt, V1.aesKey.slice(1) + '+'))).toBe('bad_aes_key');
  });

  it('text that is not standard base64', () => {
    expect(failureOf(() => decryptPayload(V1.encrypt.replace(/\+/g, '-'), V1.aesKey))).toBe('bad_base64');
    expect(failureOf(() => decryptPayload(V1.encrypt + ' ', V1.aesKey))).toBe('bad_base64');
    expect(failureOf(() => decryptPayload(V1.encrypt.slice(1), V1.aesKey))).toBe('bad_base64');
  });

  it('ciphertexts that are empty, too short or not whole AES blocks', () => {
    expect(failureOf(() => decryptPayload('', V1.aesKey))).toBe('bad_length');
    expect(failureOf(() => decryptPayload(Buffer.alloc(16).toString('base64'), V1.aesKey))).toBe(
      'bad_length',
    );
    expect(failureOf(() => decryptPayload(Buffer.alloc(33).toString('base64'), V1.aesKey))).toBe(
      'bad_length',
    );
  });

  it('the wrong key', () => {
    expect(failureOf(() => decryptPayload(V1.encrypt, V2.aesKey))).toMatch(
      /^bad_(padding|length_field|utf8)$/,
    );
  });

  it('a flipped bit in the last block (padding broken)', () => {
    const bytes = Buffer.from(V1.encrypt, 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    expect(failureOf(() => decryptPayload(bytes.toString('base64'), V1.aesKey))).toMatch(
      /^bad_(padding|length_field|utf8)$/,
    );
  });

  it('pad values 0 and 33 and unequal pad bytes', () => {
    const body = Buffer.alloc(63, 0x41);
    expect(
      failureOf(() =>
        decryptPayload(rawEncrypt(Buffer.concat([body, Buffer.from([0])]), V1.aesKey), V1.aesKey),
      ),
    ).toBe('bad_padding');
    const big = Buffer.concat([Buffer.alloc(31, 0x41), Buffer.alloc(33, 33)]);
    expect(failureOf(() => decryptPayload(rawEncrypt(big, V1.aesKey), V1.aesKey))).toBe('bad_padding');
    const uneven = Buffer.concat([Buffer.alloc(61, 0x41), Buffer.from([2, 3, 3])]);
    expect(failureOf(() => decryptPayload(rawEncrypt(uneven, V1.aesKey), V1.aesKey))).toBe('bad_padding');
  });

  it('a length field larger than the remaining bytes (including 0xFFFFFFFF)', () => {
    for (const claimed of [0xffffffff, 0x80000000, 13]) {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(claimed);
      const plain = Buffer.concat([Buffer.alloc(16, 0x61), length, Buffer.from('hello!!!')]);
      const padded = Buffer.concat([plain, Buffer.alloc(32 - plain.length, 32 - plain.length)]);
      expect(failureOf(() => decryptPayload(rawEncrypt(padded, V1.aesKey), V1.aesKey))).toBe(
        'bad_length_field',
      );
    }
  });

  it('a plaintext shorter than random + length (all padding)', () => {
    const plain = Buffer.concat([Buffer.alloc(10, 0x61), Buffer.alloc(22, 22)]);
    expect(failureOf(() => decryptPayload(rawEncrypt(plain, V1.aesKey), V1.aesKey))).toBe('bad_length_field');
  });

  it('invalid UTF-8 in the message', () => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(2);
    const plain = Buffer.concat([
      Buffer.alloc(16, 0x61),
      length,
      Buffer.from([0xc3, 0x28]),
      Buffer.from('ding'),
    ]);
    const padded = Buffer.concat([plain, Buffer.alloc(32 - plain.length, 32 - plain.length)]);
    expect(failureOf(() => decryptPayload(rawEncrypt(padded, V1.aesKey), V1.aesKey))).toBe('bad_utf8');
  });

  it('accepts 16-byte-block padding as sent by the official Go sample', () => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(7);
    const plain = Buffer.concat([
      Buffer.from(V2.random),
      length,
      Buffer.from('success'),
      Buffer.from(V2.ownerKey),
    ]);
    const pad = 16 - (plain.length % 16);
    const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
    expect(padded.length % 32).not.toBe(0);
    expect(decryptPayload(rawEncrypt(padded, V2.aesKey), V2.aesKey)).toEqual({
      plainText: 'success',
      ownerKey: V2.ownerKey,
    });
  });
});

describe('signatures', () => {
  it('sorts the four parts so argument order does not matter to the digest', () => {
    expect(signatureOf('b', 'a', 'd', 'c')).toBe(signatureOf('a', 'b', 'c', 'd'));
    expect(signatureOf('a', 'b', 'c', 'd')).not.toBe(signatureOf('a', 'b', 'c', 'e'));
  });

  it('compares equal strings as equal and anything else as different, including other lengths', () => {
    expect(signaturesMatch(V1.signature, V1.signature)).toBe(true);
    expect(signaturesMatch(V1.signature, V1.signature.toUpperCase())).toBe(false);
    expect(signaturesMatch(V1.signature, V1.signature.slice(0, 39))).toBe(false);
    expect(signaturesMatch('', '')).toBe(true);
    expect(signaturesMatch(V1.signature, '')).toBe(false);
  });
});
