import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';
import { headerBytesToUtf8, rewriteGbLabels } from './charset';

/**
 * Parses one RFC 5322 message into what a copy to another mailbox needs: the envelope, the bodies and the
 * attachments, with Chinese text decoded right (charset.ts). The parse is mailparser's `simpleParser`; before it,
 * the header blocks of the message and of its MIME parts (only those: bodies and attachments pass through as views
 * of the input, not copies) are normalised: raw 8-bit bytes that are not UTF-8 become UTF-8 from GB18030, and
 * GB-family charset labels become gb18030.
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

export interface ParsedMessage {
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
  attachments: MailAttachment[];
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

export async function parseMime(raw: Buffer): Promise<ParsedMessage> {
  const { segments, topHeader } = normaliseHeaderBlocks(raw);
  let mail: ParsedMail;
  try {
    mail = await simpleParser(Readable.from(segments, { objectMode: false }), {
      // cid: references stay as they are: inline images travel as attachments with their Content-ID, not as
      // data: URLs in the body (which is what simpleParser does by default, and which would double their size).
      keepCidLinks: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      skipHtmlToText: true,
    });
  } catch (err) {
    throw new MimeParseError(`unreadable MIME message: ${(err as Error).message}`, { cause: err });
  }
  const date = mail.headers.has('date') ? mail.date : undefined;
  return {
    subject: mail.subject ?? '',
    from: first(mail.from),
    sender: first(mail.headers.get('sender') as AddressObject | undefined),
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    replyTo: addresses(mail.replyTo),
    date: date && Number.isFinite(date.getTime()) && headerDateReadable(topHeader) ? date : undefined,
    messageId: mail.messageId || undefined,
    inReplyTo: mail.inReplyTo || undefined,
    references: typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []),
    html: typeof mail.html === 'string' && mail.html ? mail.html : undefined,
    text: mail.text || undefined,
    attachments: mail.attachments.map((a) => {
      const contentId = a.cid ?? a.contentId?.replace(/^<|>$/g, '');
      return {
        content: a.content,
        filename: a.filename,
        contentType: a.contentType,
        contentId: contentId || undefined,
        inline: Boolean(contentId) && (a.related === true || a.contentDisposition === 'inline'),
        size: a.size ?? a.content.length,
      };
    }),
    headerBlock: topHeader,
  };
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

interface Normalised {
  /** The message again, header blocks rewritten, everything else views of the input. */
  segments: Buffer[];
  topHeader: string;
}

/**
 * Walks the message line by line, knowing where header blocks are: at the start, and after every delimiter line
 * (`--boundary`) of a multipart whose boundary a header block declared (RFC 2046 §5.1.1). Nested messages
 * (message/rfc822 parts) are left alone: they are copied as attachments, byte for byte.
 */
export function normaliseHeaderBlocks(raw: Buffer): Normalised {
  const segments: Buffer[] = [];
  const boundaries = new Set<string>();
  let topHeader: string | undefined;
  let pos = 0;
  let bodyStart = 0;
  let headerStart: number | undefined = 0;

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
    segments.push(fixed);
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
        segments.push(raw.subarray(bodyStart, end));
        headerStart = end;
      }
    }
    pos = end;
  }
  if (headerStart !== undefined) endHeader(raw.length);
  else if (bodyStart < raw.length) segments.push(raw.subarray(bodyStart));
  return { segments, topHeader: topHeader ?? '' };
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
