import addressparser from 'nodemailer/lib/addressparser';
import { fieldValue, param, parseContentType, splitParams, type MimePart } from './mime';
import { headerString, imapString, list, type Chunk } from './wire';

/**
 * ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2). Header text is returned undecoded, as the RFC asks: encoded words
 * and raw 8-bit bytes reach the client as sent.
 */

export function envelope(part: MimePart): Chunk[] {
  const f = (name: string): string | undefined => fieldValue(part.fields, name);
  const from = addresses(f('from'));
  return list([
    headerString(f('date')),
    headerString(f('subject')),
    from,
    // RFC 3501: the server defaults Sender and Reply-To to From.
    f('sender') ? addresses(f('sender')) : from,
    f('reply-to') ? addresses(f('reply-to')) : from,
    addresses(f('to')),
    addresses(f('cc')),
    addresses(f('bcc')),
    headerString(f('in-reply-to')),
    headerString(f('message-id')),
  ]);
}

function addresses(value: string | undefined): Chunk[] {
  if (!value) return ['NIL'];
  const out: Chunk[][] = [];
  for (const entry of addressparser(value)) {
    if (entry.group) {
      out.push(address('', '', entry.name));
      for (const member of entry.group) if (member.address !== undefined) out.push(mailbox(member));
      out.push(['(NIL NIL NIL NIL)']);
    } else {
      out.push(mailbox(entry));
    }
  }
  return out.length ? ['(', ...out.flat(), ')'] : ['NIL'];
}

function mailbox(entry: { name: string; address?: string }): Chunk[] {
  const at = (entry.address ?? '').lastIndexOf('@');
  const local = at < 0 ? (entry.address ?? '') : entry.address!.slice(0, at);
  const host = at < 0 ? '' : entry.address!.slice(at + 1);
  return address(entry.name, host, local);
}

/** `(name adl mailbox host)`; a group start has a NIL host. */
function address(name: string, host: string, local: string): Chunk[] {
  return list([
    name ? headerString(name) : ['NIL'],
    ['NIL'],
    local ? headerString(local) : ['NIL'],
    host ? headerString(host) : ['NIL'],
  ]);
}

/** BODYSTRUCTURE with extension data (`extended`), or BODY without. */
export function bodyStructure(part: MimePart, extended: boolean): Chunk[] {
  const ct = part.contentType;
  if (ct.type === 'multipart') {
    const children: Chunk[] = part.parts.length
      ? part.parts.flatMap((p) => bodyStructure(p, extended))
      : bodyStructure({ ...part, contentType: parseContentType('text/plain'), parts: [] }, extended);
    const items: Chunk[] = [...children, ' ', ...imapString(ct.subtype.toUpperCase())];
    if (extended) items.push(' ', ...params(ct.params), ' ', ...disposition(part), ' NIL NIL');
    return ['(', ...items, ')'];
  }
  const f = (name: string): string | undefined => fieldValue(part.fields, name);
  const size = Buffer.byteLength(part.body, 'latin1');
  const items: Chunk[][] = [
    imapString(ct.type.toUpperCase()),
    imapString(ct.subtype.toUpperCase()),
    params(ct.type === 'text' && !param(ct, 'charset') ? [['charset', 'us-ascii'], ...ct.params] : ct.params),
    headerString(f('content-id')),
    headerString(f('content-description')),
    imapString((f('content-transfer-encoding') ?? '7BIT').toUpperCase()),
    [String(size)],
  ];
  if (ct.type === 'message' && ct.subtype === 'rfc822' && part.message) {
    items.push(envelope(part.message), bodyStructure(part.message, extended), [String(lines(part.body))]);
  } else if (ct.type === 'text') {
    items.push([String(lines(part.body))]);
  }
  if (extended) items.push(['NIL'], disposition(part), ['NIL'], ['NIL']);
  return list(items);
}

function params(pairs: Array<[string, string]>): Chunk[] {
  if (pairs.length === 0) return ['NIL'];
  return list(pairs.flatMap(([k, v]) => [headerString(k.toUpperCase()), headerString(v)]));
}

function disposition(part: MimePart): Chunk[] {
  const value = fieldValue(part.fields, 'content-disposition');
  if (!value) return ['NIL'];
  const [kind, ...rest] = splitParams(value);
  const ct = parseContentType(`x/x;${rest.join(';')}`);
  return list([headerString(kind.toUpperCase()), params(ct.params)]);
}

function lines(body: string): number {
  let n = 0;
  for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) n++;
  return n;
}
