import { parseMessage, type MimePart } from './mime';
import type { StoredMessage } from './store';
import { bodyStructure, envelope } from './structure';
import { formatInternalDate, type Chunk } from './wire';
import type { Token } from './tokens';

/**
 * FETCH data items (RFC 3501 §6.4.5): parsing the requested items and rendering one message's answer. Items of
 * extensions the server does not advertise (MODSEQ, BINARY, X-GM-*) are refused by the caller as BAD.
 */

export type FetchItem =
  | { kind: 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' }
  | { kind: 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT' }
  | { kind: 'section'; peek: boolean; section: string; start?: number; length?: number };

const SIMPLE = ['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY'] as const;
const MACROS: Record<string, string[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

/** The items of a FETCH argument (a macro, one item or a list); undefined when any is unknown. */
export function parseFetchItems(token: Token | undefined): FetchItem[] | undefined {
  if (!token || token.kind === 'string') return undefined;
  if (token.kind === 'atom' && MACROS[token.value.toUpperCase()]) {
    return MACROS[token.value.toUpperCase()].map((name) => parseItem(name)!);
  }
  const atoms = token.kind === 'list' ? token.items : [token];
  const items: FetchItem[] = [];
  for (const atom of atoms) {
    const item = atom.kind === 'atom' ? parseItem(atom.value) : undefined;
    if (!item) return undefined;
    items.push(item);
  }
  return items.length ? items : undefined;
}

function parseItem(text: string): FetchItem | undefined {
  const upper = text.toUpperCase();
  if ((SIMPLE as readonly string[]).includes(upper)) return { kind: upper as (typeof SIMPLE)[number] };
  if (upper === 'RFC822' || upper === 'RFC822.HEADER' || upper === 'RFC822.TEXT') return { kind: upper };
  const m = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d+)\.(\d+)>)?$/i.exec(text);
  if (!m || !validSection(m[2])) return undefined;
  return {
    kind: 'section',
    peek: Boolean(m[1]),
    section: m[2],
    start: m[3] === undefined ? undefined : Number(m[3]),
    length: m[4] === undefined ? undefined : Number(m[4]),
  };
}

function validSection(section: string): boolean {
  return /^(\d+(\.\d+)*)?(\.?(HEADER|TEXT|MIME|HEADER\.FIELDS(\.NOT)? \([^)]*\)))?$/i.test(section);
}

/** Whether the items read the body in a way that sets \Seen (RFC 3501: BODY[...] without .PEEK, RFC822, RFC822.TEXT). */
export function setsSeen(items: FetchItem[]): boolean {
  return items.some(
    (i) => (i.kind === 'section' && !i.peek) || i.kind === 'RFC822' || i.kind === 'RFC822.TEXT',
  );
}

export function renderFetch(message: StoredMessage, flags: string[], items: FetchItem[]): Chunk[] {
  let parsed: MimePart | undefined;
  const mime = (): MimePart => (parsed ??= parseMessage(message.raw));
  const out: Chunk[] = [];
  const add = (name: string, value: Chunk[]): void => {
    if (out.length) out.push(' ');
    out.push(`${name} `, ...value);
  };
  for (const item of items) {
    switch (item.kind) {
      case 'UID':
        add('UID', [String(message.uid)]);
        break;
      case 'FLAGS':
        add('FLAGS', [`(${flags.join(' ')})`]);
        break;
      case 'INTERNALDATE':
        add('INTERNALDATE', [formatInternalDate(message.internalDate)]);
        break;
      case 'RFC822.SIZE':
        add('RFC822.SIZE', [String(message.raw.length)]);
        break;
      case 'ENVELOPE':
        add('ENVELOPE', envelope(mime()));
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        add(item.kind, bodyStructure(mime(), item.kind === 'BODYSTRUCTURE'));
        break;
      case 'RFC822':
        add('RFC822', imapLiteral(message.raw));
        break;
      case 'RFC822.HEADER':
        add('RFC822.HEADER', imapLiteral(Buffer.from(mime().header, 'latin1')));
        break;
      case 'RFC822.TEXT':
        add('RFC822.TEXT', imapLiteral(Buffer.from(mime().body, 'latin1')));
        break;
      case 'section': {
        const whole = item.section === '' ? message.raw : sectionBytes(mime(), item.section);
        const origin = item.start === undefined ? '' : `<${item.start}>`;
        const data =
          whole && item.start !== undefined
            ? whole.subarray(item.start, item.start + (item.length ?? whole.length))
            : whole;
        add(`BODY[${item.section}]${origin}`, data ? imapLiteral(data) : ['NIL']);
        break;
      }
    }
  }
  return out;
}

/** Body data always as a literal, so that binary bytes and CRLF pass untouched. */
function imapLiteral(data: Buffer): Chunk[] {
  return [`{${data.length}}\r\n`, data];
}

/** The bytes of a section such as `HEADER`, `1.2`, `2.MIME`, `HEADER.FIELDS (FROM TO)`. */
function sectionBytes(root: MimePart, section: string): Buffer | undefined {
  const m = /^((?:\d+\.)*\d+)?\.?(.*)$/.exec(section)!;
  const path = m[1] ? m[1].split('.').map(Number) : [];
  const specifier = m[2].toUpperCase();
  let node: MimePart | undefined = root;
  for (const n of path) node = node && child(node, n);
  if (!node) return undefined;
  if (specifier === 'MIME') return path.length ? Buffer.from(node.header, 'latin1') : undefined;
  if (specifier === '') return Buffer.from(node.body, 'latin1');
  // HEADER and TEXT of a nested part address its encapsulated message.
  const message = path.length ? node.message : node;
  if (!message) return undefined;
  if (specifier === 'HEADER') return Buffer.from(message.header, 'latin1');
  if (specifier === 'TEXT') return Buffer.from(message.body, 'latin1');
  const fields = /^HEADER\.FIELDS(\.NOT)? \(([^)]*)\)$/.exec(specifier);
  if (!fields) return undefined;
  const names = new Set(
    fields[2]
      .split(/\s+/)
      .filter(Boolean)
      .map((n) => n.replace(/"/g, '').toLowerCase()),
  );
  const keep = message.fields.filter((f) => names.has(f.name) !== Boolean(fields[1]));
  return Buffer.from(keep.map((f) => f.raw.replace(/\r?\n$/, '\r\n')).join('') + '\r\n', 'latin1');
}

/** Part n of a node (RFC 3501 §6.4.5 part numbering): a single-part body is its own part 1. */
function child(node: MimePart, n: number): MimePart | undefined {
  const container = node.message ?? node;
  if (container.contentType.type === 'multipart') return container.parts[n - 1];
  return n === 1 ? container : undefined;
}
