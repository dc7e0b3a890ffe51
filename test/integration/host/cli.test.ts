/**
 * The CLI in a plain Node process, outside jest: there @azure/functions-core comes from the Module.prototype.require
 * proxy, exactly as in the Azure worker. The host's TypeScript is transpiled into the git-ignored .sandbox/ so the
 * test needs no build of dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { FIXTURE_APP, waitFor } from './support';

const repoRoot = path.join(__dirname, '..', '..', '..');
const buildRoot = path.join(repoRoot, '.sandbox', `host-cli-${process.pid}`);

function transpileHost(): string {
  const sourceRoot = path.join(repoRoot, 'sandbox', 'host');
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(sourceRoot).filter((f) => f.endsWith('.ts'))) {
    const out = path.join(buildRoot, path.relative(repoRoot, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: file,
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
  }
  return path.join(buildRoot, 'sandbox', 'host', 'cli.js');
}

let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(buildRoot, { recursive: true, force: true });
});

test('the CLI serves the app, prints its routes, and exits cleanly on SIGTERM', async () => {
  const cli = transpileHost();
  child = spawn(
    process.execPath,
    [cli, '--app-root', FIXTURE_APP, '--port', '0', '--no-timers', '--no-queues'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

  const url = await waitFor(
    () => /Host started: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
    20000,
    'the CLI to start',
  );
  expect(output).toContain(`echo: [GET,POST] ${url}/api/echo/{id:int}/{name?}`);
  expect(output).toContain('startup: timerTrigger');
  expect(output).toContain('work: queueTrigger');

  const res = await fetch(`${url}/api/ping`);
  expect(await res.text()).toBe('pong');

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toContain('Host stopped.');
});
