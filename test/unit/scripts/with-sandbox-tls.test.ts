import { execFileSync } from 'node:child_process';
import path from 'node:path';

const script = path.join(__dirname, '..', '..', '..', 'scripts', 'with-sandbox-tls.js');
const printEnv = [
  '-e',
  'console.log(JSON.stringify([process.env.MALLOC_MMAP_THRESHOLD_, process.env.NODE_EXTRA_CA_CERTS, ' +
    'Math.round(require("v8").getHeapStatistics().heap_size_limit / 1048576)]))',
];

function childOf(
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): [string | undefined, string | undefined, number] {
  const out = execFileSync(process.execPath, [script, process.execPath, ...nodeArgs, ...printEnv], {
    env,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim());
}

describe('scripts/with-sandbox-tls.js', () => {
  const { MALLOC_MMAP_THRESHOLD_: _unset, ...base } = process.env;

  test('starts the command with the process settings a deployment gives the app, and the sandbox certificate', () => {
    const [threshold, ca] = childOf(base);
    expect(threshold).toBe('131072');
    expect(ca).toMatch(/cert\.pem$/);
  });

  test("keeps the caller's own value of a process setting", () => {
    expect(childOf({ ...base, MALLOC_MMAP_THRESHOLD_: '65536' })[0]).toBe('65536');
  });

  // V8's heap limit is the old space plus the young generation, a few MB more than the argument.
  test('starts node with the heap limit a deployment gives the app', () => {
    const [, , heapLimitMb] = childOf(base);
    expect(heapLimitMb).toBeGreaterThanOrEqual(512);
    expect(heapLimitMb).toBeLessThan(600);
  });

  test("keeps the caller's own heap limit, in either spelling", () => {
    expect(childOf(base, ['--max-old-space-size=1024'])[2]).toBeGreaterThanOrEqual(1024);
    expect(childOf(base, ['--max-old-space-size=1024'])[2]).toBeLessThan(1100);
    expect(childOf(base, ['--max_old_space_size=256'])[2]).toBeLessThan(400);
  });
});
