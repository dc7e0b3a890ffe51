/**
 * A configuration error reaches the person starting the app once, as its message alone. Checked where it is
 * printed: the local host's CLI in a plain Node process loads functions/app-setup exactly as the Azure worker
 * would, and stops on the error. Everything is compiled into the git-ignored .sandbox/, so no build is needed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ConfigError, loadConfig } from '../../../shared/platform/config';

const repoRoot = path.join(__dirname, '..', '..', '..');
const buildRoot = path.join(repoRoot, '.sandbox', `config-error-${process.pid}`);

afterAll(() => fs.rmSync(buildRoot, { recursive: true, force: true }));

/** The CLI and app-setup with everything they import, as CommonJS, in an app folder whose "main" is app-setup. */
function buildAppAndHost(): { cli: string; appRoot: string } {
  const entries = ['sandbox/host/cli.ts', 'functions/app-setup.ts'].map((file) => path.join(repoRoot, file));
  // Only to follow the imports; each file is then transpiled alone, which is much faster than a checked emit.
  const program = ts.createProgram(entries, { noLib: true, types: [] });
  const ours = program
    .getSourceFiles()
    .filter((f) => !f.fileName.includes('node_modules') && !f.isDeclarationFile);
  for (const source of ours) {
    const out = path.join(buildRoot, path.relative(repoRoot, source.fileName)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(source.text, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, outputText);
  }
  fs.writeFileSync(path.join(buildRoot, 'package.json'), JSON.stringify({ main: 'functions/app-setup.js' }));
  fs.writeFileSync(path.join(buildRoot, 'host.json'), JSON.stringify({ version: '2.0' }));
  return { cli: path.join(buildRoot, 'sandbox', 'host', 'cli.js'), appRoot: buildRoot };
}

function runUntilExit(cli: string, appRoot: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [cli, '--app-root', appRoot, '--port', '0', '--no-timers', '--no-queues'],
    {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, output })),
  );
}

test('a ConfigError carries no stack trace, so whoever prints it prints only the message', () => {
  let error: unknown;
  try {
    loadConfig({ SYNC_MODE: 'live' });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).stack).toBeUndefined();
});

test('the local host stops on a bad setting and prints the configuration error once, without a stack trace', async () => {
  const { cli, appRoot } = buildAppAndHost();
  const { code, output } = await runUntilExit(cli, appRoot, {
    SYNC_MODE: 'live',
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    CONFLICT_POLICY: 'oldest-wins',
  });
  expect(code).toBe(1);
  expect(output.match(/Configuration is invalid/g)).toHaveLength(1);
  expect(output.match(/CONFLICT_POLICY is invalid "oldest-wins"/g)).toHaveLength(1);
  expect(output).not.toMatch(/^\s+at /m);
}, 60_000);
