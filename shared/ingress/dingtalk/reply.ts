import { randomInt } from 'node:crypto';
import { encryptPayload, signatureOf } from './crypto';

export interface SuccessReply {
  msg_signature: string;
  timeStamp: string;
  nonce: string;
  encrypt: string;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomNonce(): string {
  let nonce = '';
  for (let i = 0; i < 16; i++) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/**
 * The body DingTalk needs before it counts a push as delivered (DingTalk's documentation): the word "success"
 * encrypted with the ownerKey that came in, signed like a request. Key names are fixed by DingTalk.
 */
export function successReply(
  cfg: { token: string; aesKey: string },
  ownerKey: string,
  now: number,
  nonce: string = randomNonce(),
  random16?: Buffer,
): SuccessReply {
  const timeStamp = String(now);
  const encrypt = encryptPayload('success', cfg.aesKey, ownerKey, random16);
  return { msg_signature: signatureOf(cfg.token, timeStamp, nonce, encrypt), timeStamp, nonce, encrypt };
}
