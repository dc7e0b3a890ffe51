import * as iconv from 'iconv-lite';

/**
 * Header decoding that keeps Chinese subjects intact. Mail from Chinese clients labels GBK/GB18030 text "gb2312"
 * (or sends it as raw 8-bit bytes), and the common decoders map gb2312 to GBK or cp936, losing the characters
 * only GB18030 has (nodemailer/mailparser#43, #161; mikel/mail PR #504 "Treat GB2312 encodings as GB18030").
 * So every GB-family label is decoded as GB18030, raw header bytes that are not valid UTF-8 are retried as
 * GB18030, and adjacent encoded-words of one charset are joined before decoding, because clients split a
 * multi-byte character across two words (mailparser#173; RFC 2047 §6.2 allows dropping the space between them).
 */

const GB_LABELS = new Set([
  'gb2312',
  'gbk',
  'cp936',
  'euc-cn',
  'euccn',
  'x-gbk',
  'chinese',
  'csgb2312',
  'gb18030',
]);

export function normaliseCharset(label: string): string {
  const l = label.trim().toLowerCase().replace(/\*.*$/, ''); // RFC 2231 language suffix
  return GB_LABELS.has(l) ? 'gb18030' : l;
}

function decodeBytes(bytes: Buffer, charset: string): string {
  const cs = normaliseCharset(charset);
  if (iconv.encodingExists(cs)) return iconv.decode(bytes, cs);
  return bytes.toString('utf8');
}

/** Raw header bytes: UTF-8 when they are valid UTF-8 (RFC 6532), otherwise GB18030 (the common 8-bit case here). */
export function decodeRawHeaderBytes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(bytes, 'gb18030');
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  // Q encoding (RFC 2047 §4.2): "_" is a space, =XX a byte.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '_') bytes.push(0x20);
    else if (ch === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded-words in an unfolded header value. */
export function decodeEncodedWords(value: string): string {
  const out: string[] = [];
  let last = 0;
  let pending: { charset: string; chunks: Buffer[] } | undefined;
  const flush = () => {
    if (pending) out.push(decodeBytes(Buffer.concat(pending.chunks), pending.charset));
    pending = undefined;
  };
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    const charset = normaliseCharset(m[1]);
    if (pending && /^\s*$/.test(between)) {
      if (pending.charset === charset) {
        pending.chunks.push(wordBytes(m[2], m[3]));
        last = m.index + m[0].length;
        continue;
      }
      flush();
    } else {
      flush();
      out.push(between);
    }
    pending = { charset, chunks: [wordBytes(m[2], m[3])] };
    last = m.index + m[0].length;
  }
  flush();
  out.push(value.slice(last));
  return out.join('');
}

/**
 * The value of one header from a `BODY.PEEK[HEADER.FIELDS (...)]` block: unfolded, raw bytes decoded as above,
 * encoded-words decoded. Undefined when the header is absent.
 */
export function headerValue(block: Buffer | undefined, name: string): string | undefined {
  if (!block) return undefined;
  const text = decodeRawHeaderBytes(block).replace(/\r?\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
      return decodeEncodedWords(line.slice(colon + 1).trim());
    }
  }
  return undefined;
}
