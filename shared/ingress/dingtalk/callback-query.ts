import { type QueryInput, readQueryValue } from '../query';
import { reject, type Rejection } from '../rejection';

export interface CallbackQuery {
  signature: string;
  /** Signed exactly as received, so it is kept as the original string. */
  timestamp: string;
  timestampMs: number;
  nonce: string;
}

const MAX_PARAM_LENGTH = 256;
const DIGITS = /^\d{1,16}$/;

/**
 * Current pushes use `signature` and `timestamp`; the official samples also accept `msg_signature` and
 * `timeStamp` (DingTalk's documentation), so both spellings are read, the current one first.
 */
function readFirst(query: QueryInput, names: readonly string[]): { value?: string; problem?: string } {
  for (const name of names) {
    const found = readQueryValue(query, name);
    if (!found.present) continue;
    if ('repeated' in found) return { problem: `query parameter ${name} is repeated` };
    if (found.value.length === 0) return { problem: `query parameter ${name} is empty` };
    if (found.value.length > MAX_PARAM_LENGTH) return { problem: `query parameter ${name} is too long` };
    return { value: found.value };
  }
  return { problem: `query parameter ${names.join(' or ')} is missing` };
}

export function readCallbackQuery(query: QueryInput): ({ ok: true } & CallbackQuery) | Rejection {
  const signature = readFirst(query, ['signature', 'msg_signature']);
  const timestamp = readFirst(query, ['timestamp', 'timeStamp']);
  const nonce = readFirst(query, ['nonce']);
  const problem = signature.problem ?? timestamp.problem ?? nonce.problem;
  if (problem !== undefined) return reject(400, problem);
  if (!DIGITS.test(timestamp.value!)) return reject(400, 'timestamp is not a number of milliseconds');
  return {
    ok: true,
    signature: signature.value!,
    timestamp: timestamp.value!,
    timestampMs: Number(timestamp.value),
    nonce: nonce.value!,
  };
}
