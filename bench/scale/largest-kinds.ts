/** The biggest entries of a count by kind, largest first: where a run's operations went. */
export function largestKinds(byKind: Record<string, number>, count = 6): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byKind)
      .sort((a, b) => b[1] - a[1])
      .slice(0, count),
  );
}
