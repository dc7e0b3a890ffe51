import type { StoredContact } from './contact-store';
import { CONTACT_PROPERTIES } from './contact-validation';
import { canonicalPropertyId } from './mail-store';

/**
 * The OData query options the fake understands on contacts and contact folders, parsed strictly (anything else
 * is a 400): $select, $expand=singleValueExtendedProperties($filter=id eq '…'), and $filter clauses joined by
 * "and": the extended-property any() form ("Get single-value extended property"), emailAddresses/any(a:a/address
 * eq '…'), eq on the name and company strings, startswith(displayName,'…'); on folders displayName eq '…'.
 */

export interface ContactQuery {
  /** undefined = every property. */
  select?: Set<string>;
  /** Canonical extended property ids to expand, or 'all'. */
  extended?: Set<string> | 'all';
}

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const LITERAL = `'((?:[^']|'')*)'`;
const unquote = (s: string) => s.replace(/''/g, "'");

export function parseContactQuery(params: URLSearchParams): Result<ContactQuery> {
  const query: ContactQuery = {};
  const select = params.get('$select');
  if (select !== null) {
    const lower = new Map(CONTACT_PROPERTIES.map((p) => [p.toLowerCase(), p]));
    query.select = new Set();
    for (const name of select
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const p = lower.get(name.toLowerCase());
      if (!p) return { ok: false, error: couldNotFind(name) };
      query.select.add(p);
    }
  }
  const expand = params.get('$expand');
  if (expand !== null) {
    const m = /^singleValueExtendedProperties(?:\(\$filter=(.+)\))?$/i.exec(expand.trim());
    if (!m) return { ok: false, error: couldNotFind(expand.split('(')[0]!) };
    if (!m[1]) query.extended = 'all';
    else {
      const ids = new Set<string>();
      for (const clause of m[1].split(/\s+or\s+/i)) {
        const c = new RegExp(`^\\s*id\\s+eq\\s+${LITERAL}\\s*$`, 'i').exec(clause);
        if (!c) return { ok: false, error: 'Invalid filter clause' };
        ids.add(canonicalPropertyId(unquote(c[1]!)));
      }
      query.extended = ids;
    }
  }
  return { ok: true, value: query };
}

export type ContactTest = (c: StoredContact) => boolean;

const EQ_STRINGS = ['displayName', 'givenName', 'surname', 'companyName', 'jobTitle', 'department'];

const CLAUSES: { re: RegExp; build: (m: RegExpExecArray) => ContactTest }[] = [
  {
    re: new RegExp(
      `^singleValueExtendedProperties/any\\((\\w+):\\s*\\1/id\\s+eq\\s+${LITERAL}\\s+and\\s+\\1/value\\s+eq\\s+${LITERAL}\\)`,
      'i',
    ),
    build: (m) => {
      const id = canonicalPropertyId(unquote(m[2]!));
      // Extended property values compare case-insensitively ("Get single-value extended property").
      const value = unquote(m[3]!).toLowerCase();
      return (c) => c.extended.get(id)?.value.toLowerCase() === value;
    },
  },
  {
    re: new RegExp(`^emailAddresses/any\\((\\w+):\\s*\\1/address\\s+eq\\s+${LITERAL}\\)`, 'i'),
    build: (m) => {
      // Exchange compares SMTP addresses without regard to case.
      const address = unquote(m[2]!).toLowerCase();
      return (c) =>
        ((c.fields.emailAddresses as { address?: string }[] | undefined) ?? []).some(
          (e) => (e.address ?? '').toLowerCase() === address,
        );
    },
  },
  {
    re: new RegExp(`^(${EQ_STRINGS.join('|')})\\s+eq\\s+${LITERAL}`, 'i'),
    build: (m) => {
      const name = EQ_STRINGS.find((n) => n.toLowerCase() === m[1]!.toLowerCase())!;
      const value = unquote(m[2]!).toLowerCase();
      return (c) => String(c.fields[name] ?? '').toLowerCase() === value;
    },
  },
  {
    re: new RegExp(`^startswith\\(displayName,\\s*${LITERAL}\\)`, 'i'),
    build: (m) => {
      const prefix = unquote(m[1]!).toLowerCase();
      return (c) =>
        String(c.fields.displayName ?? '')
          .toLowerCase()
          .startsWith(prefix);
    },
  },
];

export function parseContactFilter(filter: string | null): Result<ContactTest | undefined> {
  if (filter === null) return { ok: true, value: undefined };
  const tests: ContactTest[] = [];
  let rest = filter.trim();
  while (rest) {
    const found = CLAUSES.map((c) => ({ c, m: c.re.exec(rest) })).find((x) => x.m);
    if (!found?.m) return { ok: false, error: `Invalid filter clause: ${rest}` };
    tests.push(found.c.build(found.m));
    rest = rest.slice(found.m[0].length);
    const and = /^\s+and\s+/i.exec(rest);
    if (and) rest = rest.slice(and[0].length);
    else if (rest.trim()) return { ok: false, error: `Invalid filter clause: ${rest}` };
    else rest = '';
  }
  return { ok: true, value: (c) => tests.every((t) => t(c)) };
}

/** $filter on contactFolders: displayName eq '…' (how public clients find a folder again, e.g. corso). */
export function parseFolderFilter(filter: string | null): Result<((name: string) => boolean) | undefined> {
  if (filter === null) return { ok: true, value: undefined };
  const m = new RegExp(`^displayName\\s+eq\\s+${LITERAL}$`, 'i').exec(filter.trim());
  if (!m) return { ok: false, error: `Invalid filter clause: ${filter}` };
  const wanted = unquote(m[1]!).toLowerCase();
  return { ok: true, value: (name) => name.toLowerCase() === wanted };
}

const couldNotFind = (name: string) =>
  `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.contact'.`;
