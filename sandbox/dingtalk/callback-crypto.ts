import { createCipheriv, createDecipheriv, createHash, randomInt } from 'node:crypto';

// Hand-written: the app's own would mirror its bugs, and npm's dingtalk-encrypt takes a prefix for the ownerKey.
// Algorithm: DingCallbackCrypto.java in https://github.com/open-dingtalk/DingTalk-Callback-Crypto

export interface OpenedCallback {
  message: string;
  ownerKey: string;
  random: Buffer;
}

// DingTalk pads to 32 bytes, not AES's 16 (PKCS7Padding.BLOCK_SIZE in the Java sample).
const PAD_TO = 32;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function aesKeyAndIv(aesKey: string): [Buffer, Buffer] {
  if (aesKey.length !== 43 || /[^0-9A-Za-z]/.test(aesKey)) {
    throw new Error('the aes_key DingTalk hands out is 43 letters and digits');
  }
  const key = Buffer.from(`${aesKey}=`, 'base64');
  return [key, key.subarray(0, 16)];
}

// Real pushes carry 16 letters and digits here (the decrypted check_url in DingCallbackCrypto3.py's example).
function randomPrefix(): Buffer {
  return Buffer.from(Array.from({ length: 16 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join(''));
}

export function encryptCallback(
  message: string,
  aesKey: string,
  ownerKey: string,
  random: Buffer = randomPrefix(),
): string {
  if (random.length !== 16) throw new Error('the random prefix is 16 bytes');
  const [key, iv] = aesKeyAndIv(aesKey);
  const body = Buffer.from(message, 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, size, body, Buffer.from(ownerKey, 'utf8')]);
  const fill = PAD_TO - (plain.length % PAD_TO);
  const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(fill, fill)])),
    cipher.final(),
  ]).toString('base64');
}

function utf8(bytes: Buffer, what: string): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new Error(`${what} is not UTF-8`);
  return text;
}

export function decryptCallback(encrypt: string, aesKey: string): OpenedCallback {
  const [key, iv] = aesKeyAndIv(aesKey);
  const sealed = Buffer.from(encrypt, 'base64');
  if (sealed.length === 0 || sealed.toString('base64') !== encrypt) throw new Error('encrypt is not base64');
  if (sealed.length % 16 !== 0) throw new Error('encrypt is not whole AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(sealed), decipher.final()]);
  const fill = padded[padded.length - 1]!;
  // Up to 32, and 16-byte padding is let through too: the pad byte says how much to cut, as in the Java sample.
  if (fill < 1 || fill > PAD_TO || padded.subarray(padded.length - fill).some((b) => b !== fill)) {
    throw new Error('bad padding (wrong aes_key?)');
  }
  const plain = padded.subarray(0, padded.length - fill);
  if (plain.length < 20) throw new Error('too short for the random prefix and the length');
  const size = plain.readUInt32BE(16);
  if (size > plain.length - 20) throw new Error('the length runs past the end');
  return {
    random: Buffer.from(plain.subarray(0, 16)),
    message: utf8(plain.subarray(20, 20 + size), 'the message'),
    ownerKey: utf8(plain.subarray(20 + size), 'the ownerKey'),
  };
}

export function callbackSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  const joined = [token, timestamp, nonce, encrypt].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}
