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
  return matchingIndexes(set, candidates, highest).map((i) => candidates[i]);
}

/**
 * The indexes of the members of `candidates` (ascending) that the set names, ascending. Each range is found by
 * binary search, so a FETCH of a few UIDs costs the same in a folder of 100,000 messages as in one of 10.
 */
export function matchingIndexes(set: SequenceSet, candidates: number[], highest: number): number[] {
  const picked = new Set<number>();
  for (const [a, b] of set) {
    const x = a === '*' ? highest : a;
    const y = b === '*' ? highest : b;
    const hi = Math.max(x, y);
    for (let i = lowerBound(candidates, Math.min(x, y)); i < candidates.length && candidates[i] <= hi; i++) {
      picked.add(i);
    }
  }
  return [...picked].sort((p, q) => p - q);
}

/** The first index whose value is at least `value` (candidates.length when none is). */
export function lowerBound(values: number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
