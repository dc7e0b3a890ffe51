import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/**
 * Chinese charsets in mail. Senders label GBK and GB18030 bytes as "gb2312" (the label older clients and servers
 * default to), and both decoders in the parsing stack then lose characters: iconv-lite maps gb2312/euc-cn to
 * cp936 and libmime maps gb2312/gbk/chinese to GBK, neither of which has GB18030's four-byte sequences (emoji,
 * rarer CJK such as the extension-B ideographs of personal names). GB18030 is a superset of GB2312, GBK and cp936,
 * so decoding every label of the family as GB18030 is never wrong and loses nothing; the HTML Living Standard's
 * Encoding spec does the same for GBK's labels, and mikel/mail PR #504 ("Treat GB2312 encodings as GB18030") fixed
 * the same bug in Ruby's mail library (docs/mail.md, "Chinese text and charsets").
 */

/** Labels of the GB family, as the WHATWG Encoding spec lists them for GBK and gb18030, plus Microsoft's names. */
const GB_LABELS = [
  'gb18030',
  'gb2312',
  'gb_2312',
  'gb_2312-80',
  'gb231280',
  'gbk',
  'x-gbk',
  'cp936',
  'ms936',
  'windows-936',
  'euc-cn',
  'euccn',
  'x-euc-cn',
  'chinese',
  'csgb2312',
  'csgb231280',
  'csiso58gb231280',
  'iso-ir-58',
];

const GB_SET = new Set(GB_LABELS);

/** The one charset every GB-family label is decoded with. */
export const GB_CHARSET = 'gb18030';

/** Matches one GB-family label (longest first, so "gb_2312-80" is not read as "gb_2312"). */
const GB_LABEL_SOURCE = [...GB_LABELS]
  .sort((a, b) => b.length - a.length)
  .map((l) => l.replace(/[-_]/g, (c) => `\\${c}`))
  .join('|');

export function isGbLabel(label: string | undefined): boolean {
  return label !== undefined && GB_SET.has(label.trim().replace(/^"|"$/g, '').toLowerCase());
}

/** The charset a label is decoded with: GB18030 for the GB family, the label itself otherwise. */
export function effectiveCharset(label: string): string {
  return isGbLabel(label) ? GB_CHARSET : label.trim();
}

/**
 * Decodes bytes in a charset, GB family as GB18030. A charset iconv-lite does not know is read as UTF-8 with
 * replacement characters (libmime's own fallback), never a thrown error.
 */
export function decodeText(bytes: Buffer, label: string | undefined): string {
  const charset = label ? effectiveCharset(label) : 'utf-8';
  if (!iconv.encodingExists(charset)) return bytes.toString('utf8');
  return iconv.decode(bytes, charset);
}

/**
 * Header bytes that are not valid UTF-8 are GB18030. RFC 6532 allows raw UTF-8 in headers; anything else 8-bit is
 * a sender that put its local charset on the wire unencoded, which for this product's senders is GBK (Foxmail,
 * older Outlook in zh-CN, mailing scripts). GB18030 decodes GBK bytes exactly. Valid UTF-8 comes back unchanged
 * (same Buffer).
 */
export function headerBytesToUtf8(line: Buffer): Buffer {
  if (isUtf8(line)) return line;
  return Buffer.from(iconv.decode(line, GB_CHARSET), 'utf8');
}

// In a header, a charset is named in three places: an RFC 2047 encoded word (=?gb2312?B?...?=, also with an RFC
// 2231 language tag =?gb2312*zh?...), a charset parameter (charset=gb2312, charset="GBK"), and an RFC 2231
// extended parameter value (filename*=gb2312''%D6%D0, filename*0*=gbk'zh'...).
const ENCODED_WORD = new RegExp(`(=\\?)(${GB_LABEL_SOURCE})(?=[*?])`, 'gi');
const CHARSET_PARAM = new RegExp(`(\\bcharset\\s*=\\s*"?)(${GB_LABEL_SOURCE})(?=["\\s;]|$)`, 'gim');
const EXTENDED_PARAM = new RegExp(`(\\*\\s*=\\s*"?)(${GB_LABEL_SOURCE})(?=')`, 'gi');

/**
 * Rewrites every GB-family label in a header block to gb18030, so the parser's own decoders (libmime for encoded
 * words and RFC 2231 parameters, its body decoder for the part's charset parameter) use GB18030. This is done on
 * the header text because libmime decodes encoded words through iconv-lite directly: mailparser's `Iconv` option
 * reaches only body decoding, and replacing the body decoder would also drop libmime's handling of charsets
 * iconv-lite lacks (ISO-2022-JP).
 */
export function rewriteGbLabels(header: string): string {
  return header
    .replace(ENCODED_WORD, (_m, head: string) => `${head}${GB_CHARSET}`)
    .replace(CHARSET_PARAM, (_m, head: string) => `${head}${GB_CHARSET}`)
    .replace(EXTENDED_PARAM, (_m, head: string) => `${head}${GB_CHARSET}`);
}
