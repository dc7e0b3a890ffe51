import type { StoredEvent } from './calendar-store';

/** The few OData query forms the fake understands on events, parsed strictly (anything else is a 400). */

const LITERAL = `'((?:[^']|'')*)'`;
const unquote = (s: string) => s.replace(/''/g, "'");

/** $expand=singleValueExtendedProperties($filter=id eq '...' [or id eq '...']) → the wanted ids, lower-cased. */
export function parseExtendedExpand(expand: string | null): { ids?: Set<string> | 'all'; error?: string } {
  if (expand === null) return {};
  const m = /^singleValueExtendedProperties(?:\(\$filter=(.+)\))?$/i.exec(expand.trim());
  if (!m)
    return {
      error: `Parsing OData Select and Expand failed: Could not find a property named '${expand.split('(')[0]}' on type 'microsoft.graph.event'.`,
    };
  if (!m[1]) return { ids: 'all' };
  const ids = new Set<string>();
  for (const clause of m[1].split(/\s+or\s+/i)) {
    const c = new RegExp(`^\\s*id\\s+eq\\s+${LITERAL}\\s*$`, 'i').exec(clause);
    if (!c) return { error: 'Invalid filter clause' };
    ids.add(unquote(c[1]).trim().toLowerCase());
  }
  return { ids };
}

/** $filter on events: only the extended-property form the project uses (Microsoft Graph's documentation). */
export function parseEventFilter(filter: string | null): {
  test?: (e: StoredEvent) => boolean;
  error?: string;
} {
  if (filter === null) return {};
  const re = new RegExp(
    `^singleValueExtendedProperties/any\\((\\w+):\\s*\\1/id\\s+eq\\s+${LITERAL}\\s+and\\s+\\1/value\\s+eq\\s+${LITERAL}\\)$`,
    'i',
  );
  const m = re.exec(filter.trim());
  if (!m) return { error: 'Invalid filter clause' };
  const id = unquote(m[2]).trim().toLowerCase();
  // Extended property values compare case-insensitively (Microsoft Graph's documentation).
  const value = unquote(m[3]).toLowerCase();
  return { test: (e) => e.extended.get(id)?.value.toLowerCase() === value };
}
