import { execFileSync } from 'node:child_process';
import path from 'node:path';

const script = path.join(__dirname, '..', '..', '..', 'scripts', 'with-sandbox-tls.js');
const printEnv = [
  '-e',
  'console.log(JSON.stringify([process.env.MALLOC_MMAP_THRESHOLD_, process.env.NODE_EXTRA_CA_CERTS]))',
];

function childEnv(env: NodeJS.ProcessEnv): [string | undefined, string | undefined] {
  const out = execFileSync(process.execPath, [script, process.execPath, ...printEnv], {
    env,
    encoding: 'utf8',
  });
  return JSON.parse(out.trim());
}

describe('scripts/with-sandbox-tls.js', () => {
  const { MALLOC_MMAP_THRESHOLD_: _unset, ...base } = process.env;

  test('starts the command with the process settings a deployment gives the app, and the sandbox certificate', () => {
    const [threshold, ca] = childEnv(base);
    expect(threshold).toBe('131072');
    expect(ca).toMatch(/cert\.pem$/);
  });

  test("keeps the caller's own value of a process setting", () => {
    expect(childEnv({ ...base, MALLOC_MMAP_THRESHOLD_: '65536' })[0]).toBe('65536');
  });
});
