import { createCipheriv, createDecipheriv, createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { SyncError } from '../../sync/errors';

/**
 * DingTalk HTTP-push callback crypto (as DingTalk documents it), written on Node `crypto` because the npm
 * packages mangle UTF-8 and '%' (§7.7).
 */

export type CallbackCryptoFailure =
  | 'bad_aes_key'
  | 'bad_random'
  | 'bad_base64'
  | 'bad_length'
  | 'bad_padding'
  | 'bad_length_field'
  | 'bad_utf8';

export class CallbackCryptoError extends SyncError {
  constructor(
    readonly failure: CallbackCryptoFailure,
    message: string,
  ) {
    super(message, { code: `callback-${failure}`, retryable: false, side: 'ingress' });
  }
}

const PAD_BLOCK = 32;
const AES_BLOCK = 16;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RANDOM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// ignoreBOM keeps a leading U+FEFF, as DingTalk's own sample does (new String(bytes, UTF_8)): the decoder's default
// drops it (https://encoding.spec.whatwg.org/#dom-textdecoderoptions-ignorebom).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function keyOf(aesKey: string): Buffer {
  if (!AES_KEY_PATTERN.test(aesKey)) {
    throw new CallbackCryptoError('bad_aes_key', 'aes_key must be 43 characters from [A-Za-z0-9]');
  }
  return Buffer.from(aesKey + '=', 'base64');
}

// The official libraries send 16 ASCII characters; matching that keeps our replies indistinguishable from theirs.
function randomAscii16(): Buffer {
  let text = '';
  for (let i = 0; i < RANDOM_BYTES; i++) text += RANDOM_ALPHABET[randomInt(RANDOM_ALPHABET.length)];
  return Buffer.from(text, 'ascii');
}

export function encryptPayload(
  plainText: string,
  aesKey: string,
  ownerKey: string,
  random16?: Buffer,
): string {
  const key = keyOf(aesKey);
  const random = random16 ?? randomAscii16();
  if (random.length !== RANDOM_BYTES) {
    throw new CallbackCryptoError('bad_random', 'random prefix must be exactly 16 bytes');
  }
  const message = Buffer.from(plainText, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(message.length, 0);
  const unpadded = Buffer.concat([random, length, message, Buffer.from(ownerKey, 'utf8')]);
  const padLength = PAD_BLOCK - (unpadded.length % PAD_BLOCK);
  const padded = Buffer.concat([unpadded, Buffer.alloc(padLength, padLength)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, AES_BLOCK));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export function decryptPayload(encrypt: string, aesKey: string): { plainText: string; ownerKey: string } {
  const key = keyOf(aesKey);
  if (typeof encrypt !== 'string' || !BASE64_PATTERN.test(encrypt)) {
    throw new CallbackCryptoError('bad_base64', 'ciphertext is not standard base64');
  }
  const cipherBytes = Buffer.from(encrypt, 'base64');
  // Multiples of 16 are accepted, not only 32: the official Go sample pads to 16 and the padding byte still says how much to strip.
  if (cipherBytes.length < PAD_BLOCK || cipherBytes.length % AES_BLOCK !== 0) {
    throw new CallbackCryptoError(
      'bad_length',
      `ciphertext length ${cipherBytes.length} is not a positive multiple of 16`,
    );
  }
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, AES_BLOCK));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(cipherBytes), decipher.final()]);

  const padLength = padded[padded.length - 1]!;
  if (
    padLength < 1 ||
    padLength > PAD_BLOCK ||
    !padded.subarray(padded.length - padLength).every((b) => b === padLength)
  ) {
    throw new CallbackCryptoError(
      'bad_padding',
      'padding is not PKCS#7 (1..32); wrong key or corrupted ciphertext',
    );
  }
  const content = padded.subarray(0, padded.length - padLength);
  if (content.length < RANDOM_BYTES + LENGTH_BYTES) {
    throw new CallbackCryptoError(
      'bad_length_field',
      'plaintext too short for random prefix and length field',
    );
  }
  const messageLength = content.readUInt32BE(RANDOM_BYTES);
  const messageStart = RANDOM_BYTES + LENGTH_BYTES;
  if (messageLength > content.length - messageStart) {
    throw new CallbackCryptoError(
      'bad_length_field',
      `length field ${messageLength} exceeds the decrypted bytes`,
    );
  }
  try {
    return {
      plainText: strictUtf8.decode(content.subarray(messageStart, messageStart + messageLength)),
      ownerKey: strictUtf8.decode(content.subarray(messageStart + messageLength)),
    };
  } catch {
    throw new CallbackCryptoError('bad_utf8', 'decrypted bytes are not valid UTF-8');
  }
}

export function signatureOf(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join(''), 'utf8').digest('hex');
}

export function signaturesMatch(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
