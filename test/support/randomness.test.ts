import fc from 'fast-check';

type Randomness = typeof import('./randomness');

const VARIABLES = ['FUZZ_RUNS', 'PROPERTY_RUNS', 'TEST_SEED', 'TEST_PATH'] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

/** A fresh copy of the helper, as a new suite would load it, under the given environment. */
function loadWith(env: Partial<Record<(typeof VARIABLES)[number], string>>): Randomness {
  for (const name of VARIABLES) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  let loaded: Randomness | undefined;
  jest.isolateModules(() => {
    loaded = jest.requireActual<Randomness>('./randomness');
  });
  return loaded!;
}

let printed: string[];
beforeEach(() => {
  printed = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** Fails for any list holding a number above 100, so fast-check has something to find and shrink. */
const failing = fc.property(fc.array(fc.integer()), (values) => values.every((v) => v <= 100));

function failureOf(parameters: fc.Parameters<[number[]]>): {
  message: string;
  details: fc.RunDetails<[number[]]>;
} {
  const details = fc.check(failing, parameters);
  let message = '';
  try {
    fc.assert(failing, parameters);
  } catch (error) {
    message = (error as Error).message;
  }
  return { message, details };
}

describe('run counts', () => {
  test('each suite keeps its default unless the variable says otherwise', () => {
    expect(loadWith({}).runsFrom('FUZZ_RUNS', 1000)).toBe(1000);
    expect(loadWith({ FUZZ_RUNS: '25' }).runsFrom('FUZZ_RUNS', 1000)).toBe(25);
    expect(loadWith({ FUZZ_RUNS: '25' }).runsFrom('PROPERTY_RUNS', 200)).toBe(200);
    expect(loadWith({ PROPERTY_RUNS: ' 5000 ' }).runsFrom('PROPERTY_RUNS', 200)).toBe(5000);
  });

  test('a count that is not a whole number of at least 1 is refused, naming the variable', () => {
    for (const bad of ['0', '-3', '1.5', 'lots']) {
      expect(() => loadWith({ PROPERTY_RUNS: bad }).runsFrom('PROPERTY_RUNS', 200)).toThrow(
        `PROPERTY_RUNS must be a whole number of runs of at least 1, not "${bad}"`,
      );
    }
  });
});

describe('seeds', () => {
  test('a suite picks its seed once and prints it once, with how to replay it', () => {
    const randomness = loadWith({});
    const seed = randomness.suiteSeed();
    expect(randomness.suiteSeed()).toBe(seed);
    expect(randomness.fastCheckRuns(10).seed).toBe(seed);
    expect(printed).toEqual([`random seed ${seed} (TEST_SEED=${seed} replays this suite)`]);
  });

  test('TEST_SEED wins over a fresh seed and over the suite’s fixed one; fast-check’s negative seeds are accepted', () => {
    expect(loadWith({ TEST_SEED: '-1234567' }).suiteSeed()).toBe(-1234567);
    expect(loadWith({ TEST_SEED: '42' }).suiteSeed(7)).toBe(42);
    expect(loadWith({}).suiteSeed(7)).toBe(7);
  });

  test('a seed that is not a 32-bit whole number is refused', () => {
    for (const bad of ['abc', '1.5', String(2 ** 31)]) {
      expect(() => loadWith({ TEST_SEED: bad }).suiteSeed()).toThrow(/^TEST_SEED must be a whole number/);
    }
  });
});

describe('replaying a fast-check failure', () => {
  test('the seed a failure report gives reproduces the same failure, path and counterexample', () => {
    const first = failureOf(loadWith({}).fastCheckRuns(200));
    expect(first.details.failed).toBe(true);
    const seed = first.details.seed;
    expect(first.message).toContain(`seed: ${seed}, path: "${first.details.counterexamplePath}"`);

    const again = failureOf(loadWith({ TEST_SEED: String(seed) }).fastCheckRuns(200));
    expect(again.details.counterexamplePath).toBe(first.details.counterexamplePath);
    expect(again.details.counterexample).toEqual(first.details.counterexample);
  });

  test('TEST_PATH with the seed goes straight to the shrunk counterexample', () => {
    const first = failureOf(loadWith({}).fastCheckRuns(200)).details;
    const replay = loadWith({ TEST_SEED: String(first.seed), TEST_PATH: first.counterexamplePath! });
    const direct = fc.check(failing, replay.fastCheckRuns(200));
    expect(direct.counterexample).toEqual(first.counterexample);
    expect(direct.numRuns).toBe(1);
  });
});
