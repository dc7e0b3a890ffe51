/**
 * Two things ride in a DingTalk event's description, because DingTalk events have no custom-property bag
 * (DingTalk's documentation) and onlineMeetingInfo cannot carry a foreign link:
 *
 * - a visible last line "Online meeting: <url>" for a Teams (or other non-DingTalk) join link, so DingTalk users
 *   can join and the link survives the round trip;
 * - an invisible origin stamp: our create's idempotency key spelled in zero-width characters, so
 *   findByOriginKey can recognise our own half-finished create after DingTalk forgot its x-client-token (1 day).
 *
 * Both are removed again when the description is read, so the canonical body never contains them.
 */

export const JOIN_LABEL = 'Online meeting: ';

const STAMP_START = '\u2062';
const STAMP_END = '\u2064';
const DIGITS = ['\u200B', '\u200C', '\u200D', '\u2060'];
// An alternation, not a character class: U+200D (zero-width joiner) would join its neighbours inside a class.
const STAMP = new RegExp(`${STAMP_START}((?:${DIGITS.join('|')})*)${STAMP_END}`, 'u');
const JOIN_LINE = new RegExp(`(?:^|\\n\\n)${JOIN_LABEL}(\\S+)$`);

export interface DecodedDescription {
  body: string;
  joinUrl?: string;
  originKey?: string;
}

export function encodeDescription(
  body: string,
  extras: { joinUrl?: string; originKey?: string } = {},
): string {
  let text = body;
  if (extras.joinUrl)
    text = text ? `${text}\n\n${JOIN_LABEL}${extras.joinUrl}` : `${JOIN_LABEL}${extras.joinUrl}`;
  if (extras.originKey) text += stampOf(extras.originKey);
  return text;
}

export function decodeDescription(description: string): DecodedDescription {
  let text = description;
  let originKey: string | undefined;
  const stamp = STAMP.exec(text);
  if (stamp) {
    originKey = keyOfStamp(stamp[1]!);
    text = text.replace(STAMP, '');
  }
  let joinUrl: string | undefined;
  const join = JOIN_LINE.exec(text);
  if (join) {
    joinUrl = join[1];
    text = text.slice(0, join.index);
  }
  return { body: text, joinUrl, originKey };
}

function stampOf(originKey: string): string {
  let digits = '';
  for (const byte of Buffer.from(originKey, 'utf8')) {
    for (let shift = 6; shift >= 0; shift -= 2) digits += DIGITS[(byte >> shift) & 3];
  }
  return `${STAMP_START}${digits}${STAMP_END}`;
}

function keyOfStamp(digits: string): string | undefined {
  const chars = [...digits];
  if (chars.length % 4 !== 0) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i += 4) {
    let byte = 0;
    for (let j = 0; j < 4; j++) byte = (byte << 2) | DIGITS.indexOf(chars[i + j]!);
    bytes.push(byte);
  }
  return Buffer.from(bytes).toString('utf8');
}
