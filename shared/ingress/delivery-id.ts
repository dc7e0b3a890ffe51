import { createHash } from 'node:crypto';

/**
 * Serializes JSON with object keys sorted at every depth, so the same content hashes the same whatever key order
 * the sender used on a redelivery.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A short, table-key-safe id: prefix plus hex SHA-256 of the given parts. */
export function deliveryIdOf(prefix: string, parts: readonly string[]): string {
  return `${prefix}:${createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex')}`;
}
