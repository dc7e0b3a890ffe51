import { randomBytes } from 'node:crypto';
import { encryptPayload, signatureOf } from '../../shared/ingress';

export interface SignedCallback {
  query: URLSearchParams;
  body: string;
}

/** A callback as DingTalk sends it: encrypted with the aes_key, signed with the token. */
export function signedCallback(
  event: Record<string, unknown>,
  secrets: { token: string; aesKey: string; ownerKey: string },
  timestamp = Date.now(),
): SignedCallback {
  const encrypt = encryptPayload(JSON.stringify(event), secrets.aesKey, secrets.ownerKey);
  const nonce = randomBytes(6).toString('hex');
  const ts = String(timestamp);
  const query = new URLSearchParams({
    msg_signature: signatureOf(secrets.token, ts, nonce, encrypt),
    timestamp: ts,
    nonce,
  });
  return { query, body: JSON.stringify({ encrypt }) };
}
