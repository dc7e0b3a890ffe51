import { round } from '../support/stats';

export interface Spread {
  min: number;
  max: number;
  mean: number;
}

/** Smallest, largest and mean of per-run counts: a wave shows as a max far above the mean. */
export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sum = values.reduce((a, b) => a + b, 0);
  return { min: Math.min(...values), max: Math.max(...values), mean: round(sum / values.length, 1) };
}
