/**
 * Sequence sets (RFC 3501 §9 `sequence-set`). `*` is the highest number in use, and a range is unordered, so
 * `n:*` always includes the highest UID even when n is above it (RFC 3501 §6.4.8).
 */

export type SequenceSet = Array<[number | '*', number | '*']>;

export function parseSequenceSet(text: string): SequenceSet | undefined {
  const ranges: SequenceSet = [];
  for (const part of text.split(',')) {
    const m = /^(\d+|\*)(?::(\d+|\*))?$/.exec(part);
    if (!m) return undefined;
    const lo = m[1] === '*' ? '*' : Number(m[1]);
    const hi = m[2] === undefined ? lo : m[2] === '*' ? '*' : Number(m[2]);
    if (lo === 0 || hi === 0) return undefined;
    ranges.push([lo, hi]);
  }
  return ranges;
}

/** The members of `candidates` (ascending) that the set names, with `*` standing for `highest`. */
export function matching(set: SequenceSet, candidates: number[], highest: number): number[] {
  if (candidates.length === 0) return [];
  const bounds = set.map(([a, b]) => {
    const x = a === '*' ? highest : a;
    const y = b === '*' ? highest : b;
    return [Math.min(x, y), Math.max(x, y)] as const;
  });
  return candidates.filter((n) => bounds.some(([lo, hi]) => n >= lo && n <= hi));
}
