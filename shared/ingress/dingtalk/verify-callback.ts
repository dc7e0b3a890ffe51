import { isJsonContentType } from '../content-type';
import { utf8ByteLength } from '../body-size';
import { parseJsonObject } from '../json-object';
import type { QueryInput } from '../query';
import { reject, type Rejection } from '../rejection';
import { isWithinWindow } from '../replay-window';
import { readCallbackQuery } from './callback-query';
import { CallbackCryptoError, decryptPayload, signatureOf, signaturesMatch } from './crypto';
import { type DingTalkEvent, parseDingTalkEvent } from './events';

export interface DingTalkCallbackRequest {
  query: QueryInput;
  contentType?: string;
  body: string;
}

export interface DingTalkCallbackConfig {
  token: string;
  aesKey: string;
  /** The app's appKey and the corpId: DingTalk encrypts with one or the other depending on how the push was set up. */
  ownerKeys: string[];
  windowSeconds: number;
  now: number;
  maxBodyBytes?: number;
}

export interface AcceptedCallback {
  ok: true;
  event: DingTalkEvent;
  /** The reply must be encrypted with this key, the one the request came with. */
  ownerKey: string;
  /** The request's nonce, which the reply may reuse. */
  nonce: string;
}

export type CallbackVerdict = AcceptedCallback | Rejection;

export const DEFAULT_MAX_CALLBACK_BYTES = 64 * 1024;

/** Bad configuration is our fault, not the sender's, so it throws (→ 500, DingTalk retries) instead of answering 4xx. */
function assertUsableConfig(cfg: DingTalkCallbackConfig): void {
  if (!cfg.token) throw new Error('DingTalk callback token is not configured');
  if (!/^[A-Za-z0-9]{43}$/.test(cfg.aesKey))
    throw new Error('DingTalk callback aes_key must be 43 letters/digits');
  if (cfg.ownerKeys.filter(Boolean).length === 0)
    throw new Error('DingTalk callback owner keys are not configured');
  if (!(cfg.windowSeconds > 0)) throw new Error('DingTalk callback window must be positive');
}

/**
 * Checks run cheapest-first, and nothing is decrypted before the signature proves the sender knows the token.
 * Pure: the caller records the hint, enqueues work and answers with `successReply`.
 */
export function verifyDingTalkCallback(
  req: DingTalkCallbackRequest,
  cfg: DingTalkCallbackConfig,
): CallbackVerdict {
  assertUsableConfig(cfg);
  if (!isJsonContentType(req.contentType)) return reject(415, 'content type must be application/json');
  if (typeof req.body !== 'string') return reject(400, 'body is missing');
  if (utf8ByteLength(req.body) > (cfg.maxBodyBytes ?? DEFAULT_MAX_CALLBACK_BYTES)) {
    return reject(413, 'body is larger than the callback cap');
  }

  const query = readCallbackQuery(req.query);
  if (!query.ok) return query;
  if (!isWithinWindow(query.timestampMs, cfg.now, cfg.windowSeconds)) {
    return reject(401, 'timestamp is outside the accepted window');
  }

  const envelope = parseJsonObject(req.body);
  const encrypt = envelope?.['encrypt'];
  if (typeof encrypt !== 'string' || encrypt.length === 0)
    return reject(400, 'body is not JSON with an encrypt field');

  const expected = signatureOf(cfg.token, query.timestamp, query.nonce, encrypt);
  if (!signaturesMatch(expected, query.signature.toLowerCase()))
    return reject(401, 'signature does not match');

  let decrypted: { plainText: string; ownerKey: string };
  try {
    decrypted = decryptPayload(encrypt, cfg.aesKey);
  } catch (error) {
    if (error instanceof CallbackCryptoError)
      return reject(400, `payload does not decrypt: ${error.failure}`);
    throw error;
  }
  if (!cfg.ownerKeys.includes(decrypted.ownerKey))
    return reject(403, 'payload is for another app or organisation');

  const payload = parseJsonObject(decrypted.plainText);
  const event = payload && parseDingTalkEvent(payload);
  if (!payload || !event) return reject(400, 'decrypted payload is not a JSON object with an EventType');

  return {
    ok: true,
    event,
    ownerKey: decrypted.ownerKey,
    nonce: query.nonce,
  };
}
