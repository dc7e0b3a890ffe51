/** Building response text: strings, dates and number sets the way RFC 3501 §9 (formal syntax) spells them. */

export type Chunk = string | Buffer;

/** A quoted string when it can be one, otherwise a literal (8-bit bytes, CR/LF, or long text). */
export function imapString(value: string | Buffer | null | undefined): Chunk[] {
  if (value === null || value === undefined) return ['NIL'];
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const text = bytes.toString('latin1');
  if (bytes.length < 1024 && /^[\x20-\x7e]*$/.test(text)) return [`"${text.replace(/(["\\])/g, '\\$1')}"`];
  return [`{${bytes.length}}\r\n`, bytes];
}

/** A header value kept as bytes (latin1 string) back to a string or literal. */
export function headerString(value: string | undefined): Chunk[] {
  return value === undefined ? ['NIL'] : imapString(Buffer.from(value, 'latin1'));
}

export function list(items: Chunk[][]): Chunk[] {
  const out: Chunk[] = ['('];
  items.forEach((item, i) => {
    if (i > 0) out.push(' ');
    out.push(...item);
  });
  out.push(')');
  return out;
}

export function toBuffer(chunks: Chunk[]): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** INTERNALDATE as `"dd-Mon-yyyy hh:mm:ss +0000"` (UTC). */
export function formatInternalDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `"${p(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000"`;
}

/** APPEND's date-time (day may be space-padded); undefined when it does not parse. */
export function parseInternalDate(text: string): number | undefined {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.findIndex((name) => name.toLowerCase() === m[2].toLowerCase());
  if (month < 0) return undefined;
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset;
}

/** Ascending numbers as a compact set ("1:3,7"), as COPYUID wants them (RFC 4315). */
export function compactSet(numbers: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length;) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    parts.push(i === j ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
