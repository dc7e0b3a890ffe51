import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import {
  callbackSignature,
  decryptCallback,
  encryptCallback,
} from '../../../sandbox/dingtalk/callback-crypto';
import { decryptPayload, encryptPayload, signatureOf } from '../../../shared/ingress/dingtalk/crypto';
import { DINGTALK_CALLBACK_VECTORS as VECTORS } from '../../fixtures/dingtalk-callback-vectors';

/**
 * The fake's callback crypto against DingTalk's published examples and against the app's own, in both directions:
 * the two are written apart so that a bug in one shows up here instead of being mirrored in the other.
 */

interface Side {
  encrypt(message: string, aesKey: string, ownerKey: string, random?: Buffer): string;
  decrypt(encrypt: string, aesKey: string): { message: string; ownerKey: string };
  sign(token: string, timestamp: string, nonce: string, encrypt: string): string;
}

const FAKE: Side = {
  encrypt: encryptCallback,
  decrypt: (encrypt, aesKey) => {
    const { message, ownerKey } = decryptCallback(encrypt, aesKey);
    return { message, ownerKey };
  },
  sign: callbackSignature,
};

const APP: Side = {
  encrypt: encryptPayload,
  decrypt: (encrypt, aesKey) => {
    const { plainText, ownerKey } = decryptPayload(encrypt, aesKey);
    return { message: plainText, ownerKey };
  },
  sign: signatureOf,
};

const AES_KEY = VECTORS[0]!.aesKey;

const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/** AES-256-CBC with DingTalk's key and IV and no padding of its own, to build malformed plaintexts. */
function rawEncrypt(plain: Buffer): string {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

describe.each([
  ['the fake', FAKE],
  ['the app', APP],
])("DingTalk's published examples, %s", (_name, side) => {
  describe.each(VECTORS)('$source', (v) => {
    it('decrypts the published ciphertext to the message and ownerKey', () => {
      expect(side.decrypt(v.encrypt, v.aesKey)).toEqual({ message: v.message, ownerKey: v.ownerKey });
    });

    it('encrypts back to the published ciphertext', () => {
      expect(side.encrypt(v.message, v.aesKey, v.ownerKey, Buffer.from(v.random))).toBe(v.encrypt);
    });

    it('computes the published signature', () => {
      expect(side.sign(v.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.signature);
    });
  });
});

describe('the fake on its own', () => {
  it('recovers the random prefix of the published examples', () => {
    for (const v of VECTORS) expect(decryptCallback(v.encrypt, v.aesKey).random.toString()).toBe(v.random);
  });

  it('sends 16 letters and digits as the random prefix, a new one each time', () => {
    const first = decryptCallback(encryptCallback('a', AES_KEY, 'k'), AES_KEY).random.toString();
    const second = decryptCallback(encryptCallback('a', AES_KEY, 'k'), AES_KEY).random.toString();
    expect(first).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(second).not.toBe(first);
  });

  it('pads to whole 32-byte blocks, adding a full block when the plaintext already fills one', () => {
    for (let n = 0; n <= 96; n++) {
      const plainLength = 16 + 4 + n + 'ownerKey'.length;
      const bytes = Buffer.from(encryptCallback('x'.repeat(n), AES_KEY, 'ownerKey'), 'base64').length;
      expect(bytes).toBe((Math.floor(plainLength / 32) + 1) * 32);
    }
  });

  it.each([
    ['another aes_key', VECTORS[0]!.encrypt, VECTORS[1]!.aesKey],
    ['base64url', VECTORS[0]!.encrypt.replace(/\+/g, '-').replace(/\//g, '_'), AES_KEY],
    ['a cut-off ciphertext', VECTORS[0]!.encrypt.slice(0, 64), AES_KEY],
    ['an empty ciphertext', '', AES_KEY],
    ['an aes_key that is not 43 letters and digits', VECTORS[0]!.encrypt, `${AES_KEY.slice(1)}+`],
  ])('refuses %s', (_what, encrypt, aesKey) => {
    expect(() => decryptCallback(encrypt, aesKey)).toThrow();
  });

  it.each([
    [
      'pad bytes that disagree',
      Buffer.concat([Buffer.alloc(16, 0x61), u32(0), Buffer.alloc(9, 0x61), Buffer.from([5, 4, 4])]),
    ],
    [
      'a pad byte of 0',
      Buffer.concat([Buffer.alloc(16, 0x61), u32(0), Buffer.alloc(11, 0x61), Buffer.from([0])]),
    ],
    [
      'a length that runs past the end',
      Buffer.concat([Buffer.alloc(16, 0x61), u32(9), Buffer.alloc(8, 0x61), Buffer.alloc(4, 4)]),
    ],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.alloc(16, 0x61), u32(2), Buffer.from([0xc3, 0x28]), Buffer.alloc(10, 10)]),
    ],
  ])('refuses a plaintext with %s', (_what, plain) => {
    expect(plain.length).toBe(32);
    expect(() => decryptCallback(rawEncrypt(plain), AES_KEY)).toThrow();
  });
});

// Chinese, '%' escapes (the npm packages once mangled both) and anything else UTF-8 can carry.
const textArb = fc.oneof(
  fc.string({
    unit: fc.constantFrom('周', '会', '张', '%', '2', '0', 'E', '4', '"', '{', '}', ' ', '🎉'),
    maxLength: 60,
  }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
);
const ownerKeyArb = fc.oneof(
  fc.stringMatching(/^ding[0-9a-z]{16}$/),
  fc.string({ unit: 'binary', maxLength: 24 }),
);

describe('the fake and the app read each other', () => {
  it("the app's decryptPayload reads what the fake encrypts", () => {
    fc.assert(
      fc.property(textArb, ownerKeyArb, (message, ownerKey) => {
        expect(decryptPayload(encryptCallback(message, AES_KEY, ownerKey), AES_KEY)).toEqual({
          plainText: message,
          ownerKey,
        });
      }),
    );
  });

  it("the fake's decryptCallback reads what the app encrypts", () => {
    fc.assert(
      fc.property(textArb, ownerKeyArb, (message, ownerKey) => {
        const opened = decryptCallback(encryptPayload(message, AES_KEY, ownerKey), AES_KEY);
        expect({ message: opened.message, ownerKey: opened.ownerKey }).toEqual({ message, ownerKey });
      }),
    );
  });

  it.each([
    ['ASCII', 'x'],
    ['Chinese (3 bytes a character)', '周'],
    ["'%'", '%'],
  ])('agree byte for byte on either side of every 32-byte boundary, %s', (_what, unit) => {
    const random = Buffer.from('0123456789abcdef');
    for (let n = 0; n <= 40; n++) {
      const message = unit.repeat(n);
      const fake = encryptCallback(message, AES_KEY, 'ding6ccabc44d2c8d38b', random);
      expect(fake).toBe(encryptPayload(message, AES_KEY, 'ding6ccabc44d2c8d38b', random));
      expect(decryptPayload(fake, AES_KEY).plainText).toBe(message);
      expect(decryptCallback(fake, AES_KEY).message).toBe(message);
    }
  });

  // A fatal TextDecoder drops a leading U+FEFF unless told not to; DingTalk's Java sample keeps it.
  it("the app's decryptPayload keeps a leading U+FEFF, in the message and in the ownerKey", () => {
    expect(decryptPayload(encryptCallback('\uFEFF{}', AES_KEY, 'k'), AES_KEY).plainText).toBe('\uFEFF{}');
    expect(decryptPayload(encryptCallback('{}', AES_KEY, '\uFEFFk'), AES_KEY).ownerKey).toBe('\uFEFFk');
  });
});

describe('signatures', () => {
  it('the fake and the app sign alike', () => {
    const part = fc.oneof(fc.string({ unit: 'grapheme-ascii' }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(part, part, part, part, (token, timestamp, nonce, encrypt) => {
        expect(callbackSignature(token, timestamp, nonce, encrypt)).toBe(
          signatureOf(token, timestamp, nonce, encrypt),
        );
      }),
    );
  });

  it('a different ciphertext gives a different signature', () => {
    const v = VECTORS[0]!;
    expect(callbackSignature(v.token, v.timestamp, v.nonce, `${v.encrypt}x`)).not.toBe(v.signature);
  });
});
