import { canonicalPropertyId, type StoredMessage } from './mail-store';

/**
 * The OData query options the fake understands on messages, parsed strictly (anything else is a 400):
 * $select, $expand (singleValueExtendedProperties with an id filter, attachments), $orderby on receivedDateTime,
 * and $filter clauses joined by "and": receivedDateTime comparisons, internetMessageId eq, isRead eq, and the
 * extended-property any() form from "Get single-value extended property" (Microsoft Graph documentation).
 */

export const MESSAGE_PROPERTIES = [
  'id',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
  'categories',
  'receivedDateTime',
  'sentDateTime',
  'hasAttachments',
  'internetMessageId',
  'internetMessageHeaders',
  'subject',
  'bodyPreview',
  'importance',
  'parentFolderId',
  'conversationId',
  'conversationIndex',
  'isDeliveryReceiptRequested',
  'isReadReceiptRequested',
  'isRead',
  'isDraft',
  'webLink',
  'inferenceClassification',
  'body',
  'uniqueBody',
  'sender',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'flag',
];

export interface MessageQuery {
  /** undefined = Graph's default property set. */
  select?: Set<string>;
  /** Canonical extended property ids to expand, or 'all'. */
  extended?: Set<string> | 'all';
  attachments: boolean;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const LITERAL = `'((?:[^']|'')*)'`;
const unquote = (s: string) => s.replace(/''/g, "'");

export function parseMessageQuery(params: URLSearchParams): Result<MessageQuery> {
  const query: MessageQuery = { attachments: false };
  const select = params.get('$select');
  if (select !== null) {
    const names = select
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const lower = new Map(MESSAGE_PROPERTIES.map((p) => [p.toLowerCase(), p]));
    query.select = new Set();
    for (const n of names) {
      const p = lower.get(n.toLowerCase());
      if (!p) return { ok: false, error: couldNotFind(n) };
      query.select.add(p);
    }
  }
  const expand = params.get('$expand');
  if (expand !== null) {
    for (const item of splitTopLevel(expand)) {
      if (/^attachments$/i.test(item)) {
        query.attachments = true;
        continue;
      }
      const m = /^singleValueExtendedProperties(?:\(\$filter=(.+)\))?$/i.exec(item);
      if (!m) return { ok: false, error: couldNotFind(item.split('(')[0]) };
      if (!m[1]) {
        query.extended = 'all';
        continue;
      }
      const ids = query.extended instanceof Set ? query.extended : new Set<string>();
      for (const clause of m[1].split(/\s+or\s+/i)) {
        const c = new RegExp(`^\\s*id\\s+eq\\s+${LITERAL}\\s*$`, 'i').exec(clause);
        if (!c) return { ok: false, error: 'Invalid filter clause' };
        ids.add(canonicalPropertyId(unquote(c[1])));
      }
      if (query.extended !== 'all') query.extended = ids;
    }
  }
  return { ok: true, value: query };
}

/** $orderby: only receivedDateTime (asc|desc); Graph's default order for messages is receivedDateTime desc. */
export function parseOrderBy(value: string | null): Result<'asc' | 'desc'> {
  if (value === null) return { ok: true, value: 'desc' };
  const m = /^receivedDateTime(?:\s+(asc|desc))?$/i.exec(value.trim());
  if (!m) return { ok: false, error: `The $orderby '${value}' is not supported by this sandbox.` };
  return { ok: true, value: (m[1]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'asc' };
}

export type MessageTest = (m: StoredMessage) => boolean;

const CLAUSES: { re: RegExp; build: (m: RegExpExecArray) => MessageTest | string }[] = [
  {
    re: /^receivedDateTime\s+(ge|gt|le|lt|eq)\s+(\d{4}-\d{2}-\d{2}(?:T[\d:.]+)?(?:Z|[+-]\d{2}:\d{2})?)/i,
    build: (m) => {
      const at = Date.parse(m[2]);
      if (!Number.isFinite(at)) return `'${m[2]}' is not a valid DateTimeOffset.`;
      const op = m[1].toLowerCase();
      return (msg) => compare(op, Date.parse(msg.receivedDateTime), at);
    },
  },
  {
    re: new RegExp(`^internetMessageId\\s+eq\\s+${LITERAL}`, 'i'),
    build: (m) => {
      const id = unquote(m[1]);
      return (msg) => msg.internetMessageId === id;
    },
  },
  {
    re: /^isRead\s+eq\s+(true|false)/i,
    build: (m) => {
      const v = m[1].toLowerCase() === 'true';
      return (msg) => msg.isRead === v;
    },
  },
  {
    re: new RegExp(
      `^singleValueExtendedProperties/any\\((\\w+):\\s*\\1/id\\s+eq\\s+${LITERAL}\\s+and\\s+\\1/value\\s+eq\\s+${LITERAL}\\)`,
      'i',
    ),
    build: (m) => {
      const id = canonicalPropertyId(unquote(m[2]));
      // Extended property values compare case-insensitively ("Get single-value extended property").
      const value = unquote(m[3]).toLowerCase();
      return (msg) => msg.extended.get(id)?.value.toLowerCase() === value;
    },
  },
];

/** $filter: clauses joined by "and". */
export function parseMessageFilter(filter: string | null): Result<MessageTest | undefined> {
  if (filter === null) return { ok: true, value: undefined };
  const tests: MessageTest[] = [];
  let rest = filter.trim();
  while (rest) {
    const clause = CLAUSES.map((c) => ({ c, m: c.re.exec(rest) })).find((x) => x.m);
    if (!clause?.m) return { ok: false, error: `Invalid filter clause: ${rest}` };
    const built = clause.c.build(clause.m);
    if (typeof built === 'string') return { ok: false, error: built };
    tests.push(built);
    rest = rest.slice(clause.m[0].length);
    const and = /^\s+and\s+/i.exec(rest);
    if (and) rest = rest.slice(and[0].length);
    else if (rest.trim()) return { ok: false, error: `Invalid filter clause: ${rest}` };
    else rest = '';
  }
  return { ok: true, value: (m) => tests.every((t) => t(m)) };
}

/** Delta accepts only receivedDateTime ge/gt ("message: delta"). */
export function isDeltaFilter(filter: string): boolean {
  return /^receivedDateTime\s+(ge|gt)\s+\S+$/i.test(filter.trim());
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case 'ge':
      return a >= b;
    case 'gt':
      return a > b;
    case 'le':
      return a <= b;
    case 'lt':
      return a < b;
    default:
      return a === b;
  }
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out.filter(Boolean);
}

const couldNotFind = (name: string) =>
  `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.message'.`;
