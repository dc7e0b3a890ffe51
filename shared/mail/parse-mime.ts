import { Readable } from 'node:stream';
import {
  MailParser,
  type AddressObject,
  type AttachmentStream,
  type EmailAddress,
  type HeaderValue,
  type Headers,
  type MessageText,
} from 'mailparser';
import { headerBytesToUtf8, rewriteGbLabels } from './charset';

/**
 * Parses one RFC 5322 message into what a copy to another mailbox needs: the envelope, the bodies and the
 * attachments, with Chinese text decoded right (charset.ts). The parse is mailparser's streaming `MailParser`
 * (what its `simpleParser` does, without collecting every attachment); before it, the header blocks of the message
 * and of its MIME parts (only those: bodies and attachments pass through as views of the input, not copies) are
 * normalised: raw 8-bit bytes that are not UTF-8 become UTF-8 from GB18030, and GB-family charset labels become
 * gb18030.
 *
 * A copy into Outlook holds the message (one Buffer) and at most `holdBytes` of decoded attachments: a larger
 * attachment is counted while parsing and decoded again from the message, as a stream, when it is sent
 * (`parseMimeForCopy`). A 25 MB mail is then one copy of itself in memory, not two or three.
 */

export interface MailAddress {
  /** Display name; empty when the header gave none. */
  name: string;
  address: string;
}

export interface MailAttachment {
  content: Buffer;
  filename?: string;
  contentType: string;
  /** Content-ID without angle brackets (what `cid:` URLs in the HTML name). */
  contentId?: string;
  /** Shown in the body (an image the HTML refers to by cid:), not in the attachment list. */
  inline: boolean;
  /** Decoded size in bytes. */
  size: number;
}

/** A part whose bytes cannot be decoded as they were sent (see base64Damage). */
export interface DamagedPart {
  /** The file name of an attachment; absent for a part of the message text. */
  filename?: string;
  contentType: string;
  contentId?: string;
  /** Roughly how large the part was meant to be, in bytes. */
  size: number;
  /** Why, in plain words. */
  reason: string;
}

/** An attachment whose bytes may not be held: `content` when they are, else `open()` decodes them again. */
export interface AttachmentSource extends Omit<MailAttachment, 'content'> {
  content?: Buffer;
  /**
   * The decoded bytes, read once and to the end (or given up: a Readable is destroyed, a generator returns). A
   * piece may be a view of a Buffer reused for the next one: it is valid until the next piece is asked for.
   */
  open(): Promise<AsyncIterable<Buffer>>;
}

/** What mail-import needs of an attachment: its bytes may be absent (not held, sent later from a stream). */
export type AttachmentInfo = Omit<MailAttachment, 'content'> & { content?: Buffer };

export interface ParsedMessage<A extends AttachmentInfo = MailAttachment> {
  subject: string;
  from?: MailAddress;
  sender?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  /** The Date header; absent when missing or unreadable (mailparser would put "now" there). */
  date?: Date;
  /** Message-ID with angle brackets. */
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  html?: string;
  text?: string;
  /** The attachments that decoded cleanly; damaged ones are in `damaged` instead. */
  attachments: A[];
  /**
   * Parts whose content arrived damaged: decoding them would hand over other bytes than the sender's, so they are
   * not carried as attachments. A damaged part of the message text stays in html/text (best effort) and is listed
   * here too.
   */
  damaged?: DamagedPart[];
  /** The message's own header block, normalised to UTF-8 (CRLF line ends, no final blank line). */
  headerBlock: string;
}

/** The message could not be parsed at all. Malformed parts inside a readable message are decoded best-effort. */
export class MimeParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MimeParseError';
  }
}

const LF = 0x0a;
const DASH = 0x2d;

/** Most header bytes read per block before it is passed on unchanged (mailparser's own header limit is 2 MB). */
const MAX_HEADER_BLOCK = 2 * 1024 * 1024;

/** Every attachment's bytes held: for a message already in memory that is read once (tests, the sandbox). */
export async function parseMime(raw: Buffer): Promise<ParsedMessage> {
  const parsed = await parseMimeForCopy(raw, Infinity);
  return {
    ...parsed,
    attachments: parsed.attachments.map(({ open: _, content, ...a }) => ({ ...a, content: content! })),
  };
}

/**
 * The parse a copy uses: attachments are held while their decoded bytes together stay within `holdBytes`; the
 * others carry only their size and `open()`, which parses the message again and streams that one attachment
 * (mailparser decodes it chunk by chunk), so it is never whole in memory. `raw` is kept for that until the
 * result is dropped.
 */
export async function parseMimeForCopy(
  raw: Buffer,
  holdBytes: number,
): Promise<ParsedMessage<AttachmentSource>> {
  const { segments, topHeader, damage, bodies } = normaliseHeaderBlocks(raw, holdBytes);
  let mail: CollectedMail;
  try {
    mail = await collectMail(segments, holdBytes);
  } catch (err) {
    throw new MimeParseError(`unreadable MIME message: ${(err as Error).message}`, { cause: err });
  }
  const header = <T>(key: string) => mail.headers.get(key) as T | undefined;
  const date = header<Date>('date');
  const references = header<string | string[]>('references');
  return {
    subject: header<string>('subject') ?? '',
    from: first(header('from')),
    sender: first(header('sender')),
    to: addresses(header('to')),
    cc: addresses(header('cc')),
    replyTo: addresses(header('reply-to')),
    date:
      date instanceof Date && Number.isFinite(date.getTime()) && headerDateReadable(topHeader)
        ? date
        : undefined,
    messageId: header<string>('message-id') || undefined,
    inReplyTo: header<string>('in-reply-to') || undefined,
    references: typeof references === 'string' ? [references] : (references ?? []),
    html: typeof mail.html === 'string' && mail.html ? mail.html : undefined,
    text: mail.text || undefined,
    attachments: mail.attachments
      .filter((a) => damageOf(a) === undefined)
      .map((a) => {
        const contentId = contentIdOf(a);
        const body = bodyOf(a, bodies);
        const out: AttachmentSource = {
          filename: a.filename,
          contentType: a.contentType,
          contentId,
          inline: Boolean(contentId) && (a.related === true || a.contentDisposition === 'inline'),
          size: body ? body.size : a.size,
          open: body
            ? async () => decodeBase64(raw.subarray(body.start, body.end))
            : () => openAttachment(raw, a.ordinal),
        };
        if (a.content && !body) out.content = a.content;
        return out;
      }),
    damaged: damagedParts(mail, damage),
    headerBlock: topHeader,
  };
}

// cid: references stay as they are: inline images travel as attachments with their Content-ID, not as data: URLs in
// the body (which is what simpleParser does by default, and which would double their size).
const PARSER_OPTIONS = {
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipHtmlToText: true,
};

/** An attachment as mailparser described it, with its bytes when held. */
interface CollectedAttachment extends Omit<AttachmentStream, 'content' | 'release' | 'type'> {
  /** Its place among the message's attachments, damaged ones included (what openAttachment counts). */
  ordinal: number;
  content?: Buffer;
  size: number;
}

interface CollectedMail {
  headers: Headers;
  text?: string;
  html?: string | false;
  attachments: CollectedAttachment[];
}

/**
 * What simpleParser collects (the headers, the text parts, the attachments), except that an attachment's bytes are
 * kept only while the held ones stay within `holdBytes`; beyond, they are counted and let go as they are decoded.
 */
function collectMail(segments: Buffer[], holdBytes: number): Promise<CollectedMail> {
  return new Promise((resolve, reject) => {
    const parser = new MailParser(PARSER_OPTIONS);
    const input = Readable.from(segments, { objectMode: false });
    const mail: CollectedMail = { headers: new Map<string, HeaderValue>(), attachments: [] };
    let held = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      input.destroy();
      parser.destroy();
      reject(err);
    };
    parser.on('error', fail);
    input.once('error', fail);
    parser.on('headers', (headers: Headers) => (mail.headers = headers));
    let reading = false;
    const reader = () => {
      reading = true;
      const data = parser.read() as MessageText | AttachmentStream | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        if (data.text !== undefined) mail.text = data.text;
        if (data.html !== undefined) mail.html = data.html;
        reader();
        return;
      }
      const { content, release, type: _, ...described } = data;
      const attachment: CollectedAttachment = { ...described, ordinal: mail.attachments.length, size: 0 };
      mail.attachments.push(attachment);
      let chunks: Buffer[] | undefined = [];
      content.on('data', (chunk: Buffer) => {
        attachment.size += chunk.length;
        if (!chunks) return;
        if (held + attachment.size > holdBytes) chunks = undefined;
        else chunks.push(chunk);
      });
      content.once('end', () => {
        if (chunks) {
          attachment.content = Buffer.concat(chunks, attachment.size);
          held += attachment.size;
        }
        release?.();
        reader();
      });
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(mail);
    });
    input.pipe(parser);
  });
}

/**
 * The decoded bytes of the message's attachment number `ordinal`, as a stream: the message is parsed again, the
 * attachments before it are decoded and let go, and the parse stops once this one has been read.
 */
function openAttachment(raw: Buffer, ordinal: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const { segments } = normaliseHeaderBlocks(raw);
    const parser = new MailParser(PARSER_OPTIONS);
    const input = Readable.from(segments, { objectMode: false });
    let found: Readable | undefined;
    let count = 0;
    const stop = () => {
      input.unpipe(parser);
      input.destroy();
      parser.destroy();
    };
    const fail = (err: Error) => {
      if (found) found.destroy(err);
      else reject(new MimeParseError(`unreadable MIME message: ${err.message}`, { cause: err }));
      stop();
    };
    parser.on('error', fail);
    input.once('error', fail);
    let reading = false;
    const reader = () => {
      reading = true;
      const data = parser.read() as MessageText | AttachmentStream | null;
      if (data === null || found) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        reader();
        return;
      }
      if (count++ === ordinal) {
        found = data.content;
        // Read to the end or destroyed by the reader: either way the rest of the message is not needed.
        found.once('close', stop);
        found.once('end', () => setImmediate(stop));
        resolve(found);
        return;
      }
      data.content.resume();
      data.content.once('end', () => {
        data.release?.();
        reader();
      });
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => {
      if (!found) reject(new MimeParseError(`the message has no attachment number ${ordinal + 1}`));
    });
    input.pipe(parser);
  });
}

/** The marker normaliseHeaderBlocks puts in the header block of a damaged part; its value indexes `damage`. */
const DAMAGE_MARKER = 'x-dingtalk-m365-sync-damaged';
/** The marker of a part whose body was left out of the parse (see LargeBody); its value indexes `bodies`. */
const BODY_MARKER = 'x-dingtalk-m365-sync-body';

const bodyOf = (a: { headers?: Headers }, bodies: LargeBody[]): LargeBody | undefined => {
  const mark = a.headers?.get(BODY_MARKER);
  return mark === undefined ? undefined : bodies[Number(mark)];
};

/** Decoded bytes handed on at a time (a multiple of 3: each base64 group adds 3), whatever the file's size. */
const DECODE_SLICE_BYTES = 576 * 1024;

/** Each byte's base64 value, -1 for what is not base64 (line ends, padding, anything else). */
const BASE64_VALUES = (() => {
  const values = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  return values;
})();

/**
 * The bytes of a base64 body, decoded slice by slice as the reader asks for them (a generator, not a stream: a
 * stream would read ahead). What is not base64 (line ends, padding) is skipped, as mailparser's decoder does; the
 * body was checked undamaged before it was set aside. Every slice is decoded into the same Buffer, so a 25 MB
 * attachment leaves no trail of decoded Buffers for the garbage collector. Decoded here byte by byte because
 * Node decodes base64 only from strings: a 25 MB body read through strings left about 36 MB of them on the heap
 * until the next full collection.
 */
async function* decodeBase64(body: Buffer): AsyncGenerator<Buffer> {
  const out = Buffer.allocUnsafe(DECODE_SLICE_BYTES);
  let quad = 0;
  let chars = 0;
  let at = 0;
  for (let i = 0; i < body.length; i++) {
    const value = BASE64_VALUES[body[i]];
    if (value < 0) continue;
    quad = (quad << 6) | value;
    if (++chars < 4) continue;
    out[at++] = (quad >>> 16) & 0xff;
    out[at++] = (quad >>> 8) & 0xff;
    out[at++] = quad & 0xff;
    chars = 0;
    quad = 0;
    if (at === out.length) {
      yield out.subarray(0, at);
      at = 0;
    }
  }
  // The last group: 2 characters carry one byte, 3 carry two; a lone character carries none.
  if (chars === 2) out[at++] = (quad >>> 4) & 0xff;
  if (chars === 3) {
    out[at++] = (quad >>> 10) & 0xff;
    out[at++] = (quad >>> 2) & 0xff;
  }
  if (at) yield out.subarray(0, at);
}

/** How many bytes a base64 body decodes to, counted without decoding it. */
function base64Size(body: Buffer): number {
  let chars = 0;
  for (let i = 0; i < body.length; i++) if (BASE64_VALUES[body[i]] >= 0) chars++;
  return Math.floor((chars * 3) / 4);
}

const damageOf = (a: { headers?: Headers }): number | undefined => {
  const mark = a.headers?.get(DAMAGE_MARKER);
  return mark === undefined ? undefined : Number(mark);
};

const contentIdOf = (a: { cid?: string; contentId?: string }): string | undefined =>
  (a.cid ?? a.contentId?.replace(/^<|>$/g, '')) || undefined;

/** Every damaged part: attachments by their marker, and the rest (parts of the message text) as they were found. */
function damagedParts(mail: CollectedMail, damage: PartDamage[]): DamagedPart[] {
  const out: DamagedPart[] = [];
  const seen = new Set<number>();
  for (const a of mail.attachments) {
    const index = damageOf(a);
    if (index === undefined || !damage[index]) continue;
    seen.add(index);
    const part: DamagedPart = {
      contentType: a.contentType,
      size: damage[index].size,
      reason: damage[index].reason,
    };
    if (a.filename) part.filename = a.filename;
    const contentId = contentIdOf(a);
    if (contentId) part.contentId = contentId;
    out.push(part);
  }
  damage.forEach((d, index) => {
    if (!seen.has(index)) out.push({ contentType: d.contentType, size: d.size, reason: d.reason });
  });
  return out;
}

function addresses(header: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: MailAddress[] = [];
  const visit = (entries: EmailAddress[]) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push({ name: e.name ?? '', address: e.address });
    }
  };
  for (const h of list) visit(h.value);
  return out;
}

const first = (header: AddressObject | AddressObject[] | undefined): MailAddress | undefined =>
  addresses(header)[0];

/** mailparser turns an unreadable Date header into the current time; we would rather not know the date. */
function headerDateReadable(header: string): boolean {
  const match = /^date:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(header);
  return match !== null && Number.isFinite(Date.parse(match[1].replace(/\r?\n[ \t]+/g, ' ')));
}

interface PartDamage {
  contentType: string;
  size: number;
  reason: string;
}

/**
 * A large base64 attachment body left out of the parse: mailparser sees the part with an empty body (and
 * BODY_MARKER), and its bytes are decoded from the message only when they are sent. Parsing a 25 MB mail through
 * mailparser costs several times its size in transient strings and Buffers; this way it costs the header blocks.
 */
interface LargeBody {
  start: number;
  end: number;
  /** Decoded size in bytes. */
  size: number;
}

interface Normalised {
  /** The message again, header blocks rewritten, everything else views of the input. */
  segments: Buffer[];
  topHeader: string;
  /** Parts whose base64 is damaged; each one's header block carries DAMAGE_MARKER with its index here. */
  damage: PartDamage[];
  /** Bodies set aside (only with `setAsideAbove`); each one's header block carries BODY_MARKER. */
  bodies: LargeBody[];
}

/** The part whose body is being read: where its header block is among the segments, and how its body is encoded. */
interface OpenPart {
  segment: number;
  base64: boolean;
  contentType: string;
  bodyStart: number;
  /** A large base64 body of this part may be set aside: not text (that goes into the copy), not the message's own. */
  mayBeSetAside: boolean;
}

/**
 * Walks the message line by line, knowing where header blocks are: at the start, and after every delimiter line
 * (`--boundary`) of a multipart whose boundary a header block declared (RFC 2046 §5.1.1). Nested messages
 * (message/rfc822 parts) are left alone: they are copied as attachments, byte for byte. With `setAsideAbove`, an
 * undamaged base64 body of a part that is not text and decodes to more than that many bytes is set aside (LargeBody).
 */
export function normaliseHeaderBlocks(raw: Buffer, setAsideAbove = Infinity): Normalised {
  const segments: Buffer[] = [];
  const boundaries = new Set<string>();
  const damage: PartDamage[] = [];
  const bodies: LargeBody[] = [];
  let topHeader: string | undefined;
  let pos = 0;
  let bodyStart = 0;
  let headerStart: number | undefined = 0;
  let open: OpenPart | undefined;

  const endHeader = (end: number) => {
    const block = raw.subarray(headerStart!, end);
    headerStart = undefined;
    bodyStart = end;
    if (block.length > MAX_HEADER_BLOCK) {
      segments.push(block);
      return;
    }
    const fixed = normaliseHeaderBlock(block);
    const text = fixed.toString('latin1');
    const boundary = boundaryOf(text);
    if (boundary) boundaries.add(boundary);
    if (topHeader === undefined) topHeader = fixed.toString('utf8').replace(/(\r?\n)+$/, '');
    const contentType = contentTypeOf(text);
    open = {
      segment: segments.length,
      base64: !boundary && /^content-transfer-encoding:[ \t]*base64[ \t]*\r?$/im.test(text),
      contentType,
      bodyStart: end,
      mayBeSetAside: segments.length > 0 && !/^(text|message|multipart)\//.test(contentType),
    };
    segments.push(fixed);
  };

  // The body of the part just read ends where a delimiter line starts: check it when it was sent as base64.
  // True when the body is set aside (the caller then leaves it out of the segments).
  const endBody = (end: number): boolean => {
    const part = open;
    open = undefined;
    if (!part?.base64) return false;
    const body = raw.subarray(part.bodyStart, end);
    const reason = base64Damage(body);
    const mark = (name: string, index: number) => {
      const marker = Buffer.from(`${name}: ${index}\r\n`, 'latin1');
      segments[part.segment] = Buffer.concat([marker, segments[part.segment]]);
    };
    if (reason) {
      mark(DAMAGE_MARKER, damage.length);
      damage.push({ contentType: part.contentType, size: base64Size(body), reason });
      return false;
    }
    if (!part.mayBeSetAside || (body.length * 3) / 4 <= setAsideAbove) return false;
    const size = base64Size(body);
    if (size <= setAsideAbove) return false;
    mark(BODY_MARKER, bodies.length);
    bodies.push({ start: part.bodyStart, end, size });
    return true;
  };

  while (pos < raw.length) {
    const nl = raw.indexOf(LF, pos);
    const end = nl < 0 ? raw.length : nl + 1;
    if (headerStart !== undefined) {
      const blank = end - pos <= 2 && (end - pos === 1 || raw[pos] === 0x0d || raw[pos] === LF);
      if (blank) endHeader(end);
    } else if (raw[pos] === DASH && raw[pos + 1] === DASH && boundaries.size > 0) {
      const line = raw.toString('latin1', pos + 2, end).replace(/[ \t]*\r?\n?$/, '');
      if (boundaries.has(line)) {
        if (endBody(pos)) bodyStart = pos;
        segments.push(raw.subarray(bodyStart, end));
        headerStart = end;
      } else if (line.endsWith('--') && boundaries.has(line.slice(0, -2))) {
        if (endBody(pos)) bodyStart = pos;
      }
    }
    pos = end;
  }
  if (headerStart !== undefined) endHeader(raw.length);
  else {
    if (endBody(raw.length)) bodyStart = raw.length;
    if (bodyStart < raw.length) segments.push(raw.subarray(bodyStart));
  }
  return { segments, topHeader: topHeader ?? '', damage, bodies };
}

/**
 * Why a base64 body cannot be decoded as sent, or undefined when it can. Decoders (mailparser's among them) skip
 * what is not base64 and read on, so a damaged body decodes without an error into other bytes than the sender's:
 * a relay that replaced a line with its own text, or cut lines short, leaves a file that opens as garbage or not
 * at all. Encoders write every line but the last with a length that is a multiple of 4 (76 in practice), so a
 * shorter line inside shifts every byte after it. A body that only lacks its final padding is read as it is.
 */
export function base64Damage(body: Buffer): string | undefined {
  // Read byte by byte rather than as a string split into lines: the body may be 25 MB, and its text and lines
  // would be as much again on the heap.
  let last = body.length - 1;
  while (last >= 0 && TRIMMED.has(body[last])) last--;
  let total = 0;
  let line = 0;
  for (let start = 0; start <= last; line++) {
    const nl = body.indexOf(LF, start);
    const next = nl < 0 ? body.length : nl + 1;
    const end = nl < 0 ? body.length : nl > start && body[nl - 1] === CR ? nl - 1 : nl;
    let length = 0;
    let padding = 0;
    for (let i = start; i < end; i++) {
      const c = body[i];
      if (c === SPACE || c === TAB) continue;
      if (!BASE64_CHARS[c]) {
        const bad = String.fromCharCode(c);
        return `its base64 content is damaged (line ${line + 1} holds "${bad}", which is not base64)`;
      }
      length++;
      padding = c === EQUALS ? padding + 1 : 0;
    }
    if (next <= last && length % 4 !== 0 && padding === 0) {
      return `its base64 content is damaged (line ${line + 1} is cut short: ${length} characters)`;
    }
    total += length - padding;
    start = next;
  }
  if (total % 4 === 1) return 'its base64 content is damaged (it ends in the middle of a byte)';
  return undefined;
}

const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;
/** What String.prototype.trim() removes, among single bytes read as latin1. */
const TRIMMED = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);
/** A-Z, a-z, 0-9, + and /, and = (padding). */
const BASE64_CHARS = (() => {
  const table = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')
    table[c.charCodeAt(0)] = 1;
  return table;
})();

/** The media type of a header block, for naming a damaged part; text/plain when it names none (RFC 2045 §5.2). */
function contentTypeOf(header: string): string {
  const match = /^content-type:[ \t]*([^;\s]+)/im.exec(header);
  return match ? match[1].toLowerCase() : 'text/plain';
}

/** One header block: each line that is not UTF-8 read as GB18030, then GB-family labels rewritten. */
function normaliseHeaderBlock(block: Buffer): Buffer {
  const lines: Buffer[] = [];
  let pos = 0;
  let changed = false;
  while (pos < block.length) {
    const nl = block.indexOf(LF, pos);
    const end = nl < 0 ? block.length : nl + 1;
    const line = block.subarray(pos, end);
    const utf8 = headerBytesToUtf8(line);
    if (utf8 !== line) changed = true;
    lines.push(utf8);
    pos = end;
  }
  const joined = changed ? Buffer.concat(lines) : block;
  const text = joined.toString('latin1');
  const rewritten = rewriteGbLabels(text);
  return rewritten === text ? joined : Buffer.from(rewritten, 'latin1');
}

/** The boundary parameter of a multipart Content-Type in a header block, unfolded. */
function boundaryOf(header: string): string | undefined {
  const field = /^content-type:[ \t]*(multipart\/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)/im.exec(header);
  if (!field) return undefined;
  const value = field[1].replace(/\r?\n[ \t]+/g, ' ');
  const match = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(value);
  return match ? (match[1] ?? match[2]).replace(/[ \t]+$/, '') : undefined;
}
