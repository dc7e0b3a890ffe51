/**
 * Just enough MIME (RFC 2045/2046) to answer FETCH: header/body split, header fields kept as bytes, content type
 * parameters, multipart boundaries and message/rfc822 parts. Strings are latin1 so that every byte (a raw GB18030
 * header, say) survives unchanged.
 */

export interface HeaderField {
  /** Lower-case name. */
  name: string;
  /** The whole field as sent, folding and CRLF included. */
  raw: string;
  /** Unfolded value, leading space removed. */
  value: string;
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Array<[string, string]>;
}

export interface MimePart {
  /** Header block, blank line included (what BODY[HEADER] / BODY[n.MIME] return). */
  header: string;
  body: string;
  fields: HeaderField[];
  contentType: ContentType;
  parts: MimePart[];
  /** For message/rfc822: the encapsulated message. */
  message?: MimePart;
}

export function parseMessage(raw: Buffer | string, defaultType = 'text/plain'): MimePart {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const { header, body } = splitHeader(text);
  const fields = parseFields(header);
  const contentType = parseContentType(fieldValue(fields, 'content-type') ?? defaultType);
  const part: MimePart = { header, body, fields, contentType, parts: [] };
  if (contentType.type === 'multipart') {
    const boundary = param(contentType, 'boundary');
    const childDefault = contentType.subtype === 'digest' ? 'message/rfc822' : 'text/plain';
    if (boundary) part.parts = splitMultipart(body, boundary).map((p) => parseMessage(p, childDefault));
  } else if (contentType.type === 'message' && contentType.subtype === 'rfc822') {
    part.message = parseMessage(body);
  }
  return part;
}

export function fieldValue(fields: HeaderField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}

export function param(ct: ContentType, name: string): string | undefined {
  return ct.params.find(([k]) => k.toLowerCase() === name)?.[1];
}

function splitHeader(text: string): { header: string; body: string } {
  if (text.startsWith('\r\n')) return { header: '\r\n', body: text.slice(2) };
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf))
    return { header: text.slice(0, crlf + 4), body: text.slice(crlf + 4) };
  if (lf >= 0) return { header: text.slice(0, lf + 2), body: text.slice(lf + 2) };
  return { header: text, body: '' };
}

function parseFields(header: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of header.split(/(?<=\n)/)) {
    if (line === '\r\n' || line === '\n') break;
    const last = fields[fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.raw += line;
      last.value += line.replace(/\r?\n$/, '');
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({
      name: line.slice(0, colon).trim().toLowerCase(),
      raw: line,
      value: line.slice(colon + 1).replace(/\r?\n$/, ''),
    });
  }
  for (const f of fields) f.value = f.value.replace(/\r?\n/g, '').trim();
  return fields;
}

/** `type/subtype; a=b; c="d e"`; parameters keep their names as sent (RFC 2231 `name*` included). */
export function parseContentType(value: string): ContentType {
  const [typePart, ...rest] = splitParams(value);
  const [type, subtype] = typePart.toLowerCase().split('/');
  const params: Array<[string, string]> = [];
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params.push([p.slice(0, eq).trim(), v]);
  }
  if (!type || !subtype) return { type: 'text', subtype: 'plain', params };
  return { type: type.trim(), subtype: subtype.trim(), params };
}

/** Splits at `;` outside quotes. */
export function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && quoted) {
      current += c + (value[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(current.trim());
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current.trim());
  return out.filter((p, i) => i === 0 || p);
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const parts: string[] = [];
  let start = -1;
  let pos = 0;
  while (pos <= body.length) {
    const eol = body.indexOf('\n', pos);
    const lineEnd = eol < 0 ? body.length : eol + 1;
    const line = body
      .slice(pos, lineEnd)
      .replace(/\r?\n$/, '')
      .trimEnd();
    if (line === delimiter || line === `${delimiter}--`) {
      if (start >= 0) parts.push(body.slice(start, pos).replace(/\r?\n$/, ''));
      if (line.endsWith('--') && line !== delimiter) return parts;
      start = lineEnd;
    }
    if (eol < 0) break;
    pos = lineEnd;
  }
  if (start >= 0 && start < body.length) parts.push(body.slice(start));
  return parts;
}
