import { encryptPayload, signatureOf } from '../../../../shared/ingress/dingtalk/crypto';
import type {
  DingTalkCallbackConfig,
  DingTalkCallbackRequest,
} from '../../../../shared/ingress/dingtalk/verify-callback';

export const NOW = Date.parse('2026-11-22T08:00:00Z');
export const TOKEN = 'callback-token-123';
export const AES_KEY = 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7';
export const OTHER_AES_KEY = 'o1w0aum42yaptlz8alnhwikjd3jenzt9cb9wmzptgus';
export const APP_KEY = 'dingappkey0001';
export const CORP_ID = 'ding6ccabc44d2c8d38b';

export const config = (overrides: Partial<DingTalkCallbackConfig> = {}): DingTalkCallbackConfig => ({
  token: TOKEN,
  aesKey: AES_KEY,
  ownerKeys: [APP_KEY, CORP_ID],
  windowSeconds: 3600,
  now: NOW,
  ...overrides,
});

export interface SignedRequestOptions {
  plainText?: string;
  ownerKey?: string;
  token?: string;
  aesKey?: string;
  timestamp?: string;
  nonce?: string;
  contentType?: string;
  random16?: Buffer;
}

/** A request exactly as DingTalk would send it, with every part overridable to build a bad one. */
export function signedRequest(options: SignedRequestOptions = {}): DingTalkCallbackRequest {
  const timestamp = options.timestamp ?? String(NOW);
  const nonce = options.nonce ?? 'n0nce123';
  const encrypt = encryptPayload(
    options.plainText ?? '{"EventType":"check_url"}',
    options.aesKey ?? AES_KEY,
    options.ownerKey ?? APP_KEY,
    options.random16,
  );
  const signature = signatureOf(options.token ?? TOKEN, timestamp, nonce, encrypt);
  return {
    query: new URLSearchParams({ signature, timestamp, nonce }),
    contentType: options.contentType ?? 'application/json',
    body: JSON.stringify({ encrypt }),
  };
}

/** Signs an arbitrary `encrypt` value with the right token, to get garbage past the signature check. */
export function signedEnvelope(
  encrypt: string,
  timestamp = String(NOW),
  nonce = 'n0nce123',
): DingTalkCallbackRequest {
  return {
    query: new URLSearchParams({
      signature: signatureOf(TOKEN, timestamp, nonce, encrypt),
      timestamp,
      nonce,
    }),
    contentType: 'application/json',
    body: JSON.stringify({ encrypt }),
  };
}

export const CALENDAR_CHANGE = {
  EventType: 'calendar_event_change',
  CorpId: CORP_ID,
  BizId: '16684640',
  EventTime: 1668735924640,
  CalendarEventUpdateTime: 1668735924619,
  ChangeType: 'updated',
  CalendarId: 'NzE3MjU0NEB1c2V5jb218MTQwMDE2',
  CalendarEventId: 'RVNUZllHKelEydz09',
  LegacyCalendarEventId: '1C1BB560768A338',
  operator: { type: 'user' },
  UnionIdList: ['QQamYiE', 'Zk2aiEiE'],
};
