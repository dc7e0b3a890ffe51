import { randomBytes } from 'node:crypto';
import { decryptPayload, encryptPayload, signatureOf } from '../../ingress/dingtalk/crypto';
import { reasonOf, type PreflightResult } from './types';

const ID = 'dingtalk-callback';
const TITLE = 'DingTalk callback answers check_url';

/** DingTalk's deadline for the check_url answer (reference dingtalk.md §7.4, developer.aliyun.com/ask/662484). */
export const CHECK_URL_DEADLINE_MS = 1500;
/** How long the check waits at most, so that a slow answer is reported with its time rather than as silence. */
const WAIT_MS = 10_000;

const DINGTALK_CALLBACK_PATH = '/api/dingtalk/events';

/** Where DingTalk posts events: the address to enter in the developer console. */
export const dingtalkCallbackUrl = (publicBaseUrl: string) =>
  `${publicBaseUrl.replace(/\/+$/, '')}${DINGTALK_CALLBACK_PATH}`;

export interface CallbackSecrets {
  token: string;
  aesKey: string;
  /** The key DingTalk encrypts for: the AppKey for an event subscription made in the developer console. */
  ownerKey: string;
}

/**
 * Sends our own callback route exactly what DingTalk sends when the admin saves the callback URL in the developer
 * console: `{"EventType":"check_url"}` encrypted with the aes_key and the AppKey, POSTed as `{"encrypt"}` with
 * signature, timestamp (ms) and nonce in the query; then checks the answer as DingTalk does: HTTP 200, JSON
 * `{msg_signature, timeStamp, nonce, encrypt}` signed with the token, `encrypt` decrypting to "success" for the
 * same key, within 1,500 ms. It goes to PUBLIC_BASE_URL, the address DingTalk is given.
 */
export async function checkDingTalkCallback(deps: {
  publicBaseUrl: string;
  secrets: CallbackSecrets;
  fetch: typeof fetch;
  now?: () => number;
}): Promise<PreflightResult> {
  const url = dingtalkCallbackUrl(deps.publicBaseUrl);
  const { token, aesKey, ownerKey } = deps.secrets;
  const timestamp = String((deps.now ?? Date.now)());
  const nonce = randomBytes(6).toString('base64url');
  let encrypt: string;
  try {
    encrypt = encryptPayload(JSON.stringify({ EventType: 'check_url' }), aesKey, ownerKey);
  } catch (err) {
    return fail(`${url}: the callback settings are not usable: ${reasonOf(err)}`, SETTINGS_FIX);
  }
  const query = new URLSearchParams({
    signature: signatureOf(token, timestamp, nonce, encrypt),
    timestamp,
    nonce,
  });
  const started = performance.now();
  let status: number;
  let text: string;
  try {
    const response = await deps.fetch(`${url}?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ encrypt }),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    const waited = Math.round(performance.now() - started);
    return fail(`${url} gave no answer (${reasonOf(err)}, after ${waited} ms)`, REACH_FIX);
  }
  const ms = Math.round(performance.now() - started);
  if (status !== 200) {
    return fail(
      `${url} answered HTTP ${status} in ${ms} ms`,
      status === 401 || status === 403
        ? SETTINGS_FIX
        : status === 404
          ? REACH_FIX
          : 'look at the function app log for "dingtalk callback rejected" and fix what it names',
    );
  }
  const problem = callbackReplyProblem(text, deps.secrets);
  if (problem)
    return fail(`${url} answered in ${ms} ms, but DingTalk would refuse it: ${problem}`, SETTINGS_FIX);
  if (ms > CHECK_URL_DEADLINE_MS) {
    return fail(
      `${url} answered the encrypted "success" in ${ms} ms, over DingTalk's ${CHECK_URL_DEADLINE_MS} ms`,
      'keep the HTTP functions warm while the callback is registered (one always-ready instance, docs/runbook.md), ' +
        'then save the callback URL in the console again',
    );
  }
  return {
    id: ID,
    ok: true,
    title: TITLE,
    detail: `${url} answered the encrypted "success" in ${ms} ms (DingTalk allows ${CHECK_URL_DEADLINE_MS} ms)`,
    fix: '',
  };
}

const SETTINGS_FIX =
  'DINGTALK_CALLBACK_TOKEN and DINGTALK_CALLBACK_AES_KEY must be exactly the token and aes_key entered in the ' +
  "DingTalk developer console (事件与回调), and DINGTALK_APP_KEY the app's Client ID";
const REACH_FIX =
  "PUBLIC_BASE_URL must be the function app's public address and the app must be running; DingTalk posts to " +
  `<PUBLIC_BASE_URL>${DINGTALK_CALLBACK_PATH}`;

function fail(detail: string, fix: string): PreflightResult {
  return { id: ID, ok: false, title: TITLE, detail, fix };
}

/**
 * Undefined when a callback reply is what DingTalk accepts (the signed, encrypted "success" for the key the event
 * was encrypted for); else what is wrong with it, in DingTalk's terms.
 */
function callbackReplyProblem(text: string, secrets: CallbackSecrets): string | undefined {
  let reply: Record<string, unknown>;
  try {
    reply = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'reply is not JSON';
  }
  const { msg_signature: signature, timeStamp, nonce, encrypt } = reply ?? {};
  if (![signature, timeStamp, nonce, encrypt].every((v) => typeof v === 'string')) {
    return 'reply lacks msg_signature/timeStamp/nonce/encrypt';
  }
  if (signatureOf(secrets.token, timeStamp as string, nonce as string, encrypt as string) !== signature) {
    return 'reply signature does not match';
  }
  try {
    const { plainText, ownerKey } = decryptPayload(encrypt as string, secrets.aesKey);
    if (plainText !== 'success') return '71009 返回文本非success';
    if (ownerKey !== secrets.ownerKey) return 'reply is encrypted for another ownerKey';
  } catch {
    return 'reply does not decrypt';
  }
  return undefined;
}
