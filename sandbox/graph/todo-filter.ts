import type { StoredTodoList, StoredTodoTask } from './todo-store';

/**
 * The $filter forms the fake understands on To Do, parsed strictly (anything else is a 400): clauses joined by
 * `and` on status, importance, title, createdDateTime and lastModifiedDateTime, and categories/any(…). These are
 * the forms public clients use on /todo/lists/{id}/tasks (e.g. status ne 'completed' in RogerSelwyn/MS365-ToDo#133).
 * A filter on linkedResources is not documented (graph.md §4.3 lists it as unverified), so the fake refuses it:
 * a client must not rely on the server to find a task by externalId.
 */

const LITERAL = `'((?:[^']|'')*)'`;
const unquote = (s: string) => s.replace(/''/g, "'");
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

type Test<T> = (x: T) => boolean;
export type FilterResult<T> = { ok: true; test?: Test<T> } | { ok: false; error: string };

const compare = (op: string, a: number, b: number) =>
  op === 'eq'
    ? a === b
    : op === 'ne'
      ? a !== b
      : op === 'gt'
        ? a > b
        : op === 'ge'
          ? a >= b
          : op === 'lt'
            ? a < b
            : a <= b;

function clauseTest(clause: string): Test<StoredTodoTask> | undefined {
  const text = new RegExp(`^(status|importance|title)\\s+(eq|ne)\\s+${LITERAL}$`, 'i').exec(clause);
  if (text) {
    const field = text[1]!.toLowerCase() as 'status' | 'importance' | 'title';
    const value = unquote(text[3]!);
    const equal = (t: StoredTodoTask) => (field === 'title' ? (t.title ?? '') : t[field]) === value;
    return text[2]!.toLowerCase() === 'eq' ? equal : (t) => !equal(t);
  }
  const time = /^(createdDateTime|lastModifiedDateTime)\s+(eq|ne|gt|ge|lt|le)\s+(\S+)$/i.exec(clause);
  if (time && DATE_TIME.test(time[3]!)) {
    const at = Date.parse(time[3]!);
    const field = time[1]!.toLowerCase() === 'createddatetime' ? 'createdDateTime' : 'lastModifiedDateTime';
    const op = time[2]!.toLowerCase();
    return (t) => compare(op, t[field], at);
  }
  const category = new RegExp(`^categories/any\\((\\w+):\\s*\\1\\s+eq\\s+${LITERAL}\\)$`, 'i').exec(clause);
  if (category) {
    const value = unquote(category[2]!);
    return (t) => t.categories.includes(value);
  }
  return undefined;
}

export function parseTaskFilter(filter: string | null): FilterResult<StoredTodoTask> {
  if (filter === null) return { ok: true };
  const tests: Test<StoredTodoTask>[] = [];
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    const test = clauseTest(
      clause
        .trim()
        .replace(/^\((.*)\)$/, '$1')
        .trim(),
    );
    if (!test) return { ok: false, error: 'Invalid filter clause' };
    tests.push(test);
  }
  return { ok: true, test: (t) => tests.every((x) => x(t)) };
}

/** $filter on lists: displayName or wellknownListName, eq. */
export function parseListFilter(filter: string | null): FilterResult<StoredTodoList> {
  if (filter === null) return { ok: true };
  const m = new RegExp(`^(displayName|wellknownListName)\\s+eq\\s+${LITERAL}$`, 'i').exec(filter.trim());
  if (!m) return { ok: false, error: 'Invalid filter clause' };
  const value = unquote(m[2]!);
  return m[1]!.toLowerCase() === 'displayname'
    ? { ok: true, test: (l) => l.displayName === value }
    : { ok: true, test: (l) => l.wellknownListName === value };
}
