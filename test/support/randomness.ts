import { randomInt } from 'node:crypto';

/**
 * How big a randomised suite is and which random values it draws, both from the environment, so that a run can be
 * scaled up and a failure replayed:
 * - `FUZZ_RUNS`: requests per webhook fuzz property; `PROPERTY_RUNS`: runs per property test (each suite keeps
 *   its own default when unset);
 * - `TEST_SEED`: the seed every randomised suite uses instead of a fresh one;
 * - `TEST_PATH`: fast-check's `path` from a failure report, to go straight to the shrunk counterexample (together
 *   with `TEST_SEED`, and with `-t` so that only the failed test runs).
 */

export type RunsVariable = 'FUZZ_RUNS' | 'PROPERTY_RUNS';

export function runsFrom(variable: RunsVariable, fallback: number): number {
  const raw = process.env[variable]?.trim();
  if (!raw) return fallback;
  const runs = Number(raw);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(`${variable} must be a whole number of runs of at least 1, not "${raw}"`);
  }
  return runs;
}

const INT32 = 2 ** 31;

function seedFromEnvironment(): number | undefined {
  const raw = process.env.TEST_SEED?.trim();
  if (!raw) return undefined;
  const seed = Number(raw);
  // fast-check reports seeds as signed 32-bit integers, so any of those must replay.
  if (!/^-?\d+$/.test(raw) || seed < -INT32 || seed >= INT32) {
    throw new Error(`TEST_SEED must be a whole number between ${-INT32} and ${INT32 - 1}, not "${raw}"`);
  }
  return seed;
}

let chosen: number | undefined;

/**
 * The seed of the running suite: `TEST_SEED`, else `fallback`, else a fresh one. Jest loads this module afresh
 * for each test file, so each suite picks (and prints) its seed once.
 */
export function suiteSeed(fallback?: number): number {
  if (chosen === undefined) {
    chosen = seedFromEnvironment() ?? fallback ?? randomInt(INT32);
    console.log(`random seed ${chosen} (TEST_SEED=${chosen} replays this suite)`);
  }
  return chosen;
}

/** fast-check parameters for `numRuns` runs drawn from the suite's seed, or replaying `TEST_PATH` when set. */
export function fastCheckRuns(numRuns: number): { numRuns: number; seed: number; path?: string } {
  const path = process.env.TEST_PATH?.trim();
  return path ? { numRuns, seed: suiteSeed(), path } : { numRuns, seed: suiteSeed() };
}
