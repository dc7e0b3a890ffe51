/** Query parameters as Azure Functions (URLSearchParams) or a plain test object hands them over. */
export type QueryInput = URLSearchParams | Record<string, string | undefined>;

export type QueryValue =
  { present: false } | { present: true; value: string } | { present: true; repeated: true };

/**
 * Reads one parameter. A repeated parameter is reported rather than resolved because picking the first or the
 * last would let a proxy and this code disagree on what was signed.
 */
export function readQueryValue(query: QueryInput, name: string): QueryValue {
  if (query instanceof URLSearchParams) {
    const values = query.getAll(name);
    if (values.length === 0) return { present: false };
    if (values.length > 1) return { present: true, repeated: true };
    return { present: true, value: values[0]! };
  }
  if (!Object.prototype.hasOwnProperty.call(query, name)) return { present: false };
  const value = query[name];
  return typeof value === 'string' ? { present: true, value } : { present: false };
}
