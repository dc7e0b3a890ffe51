/**
 * Ctrl-C stops `npm start` at any moment: the start script, run as `npm start` runs it (a plain Node process with
 * the function app compiled beside it), gets SIGINT in the middle of the demo and during its start-up, and must
 * exit with code 0 within a few seconds, leaving no process of its own behind. A second Ctrl-C kills at once.
 * Every port is a free one, moved with the DEMO_PORT_* variables, so the test runs beside anything else. The
 * TypeScript is transpiled into the git-ignored .sandbox/, so no build of dist/ is needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { freePort } from '../../sandbox/free-port';
import { PORT_VARIABLES, type DemoPorts } from '../../scripts/start/ports';

const repoRoot = path.join(__dirname, '..', '..');
const buildRoot = path.join(repoRoot, '.sandbox', `start-interrupt-${process.pid}`);
/** Ctrl-C once must be done by then: the script's own bound (10 s) and a margin. */
const EXIT_WITHIN_MS = 12_000;

/**
 * The start script and the function app with everything they import, as CommonJS, laid out as the repository's
 * dist/ is (the script finds the app two folders above itself), with the app's package.json "main" and host.json.
 */
function buildStartScript(): string {
  const functionsDir = path.join(repoRoot, 'functions');
  const entries = [
    path.join(repoRoot, 'scripts', 'start.ts'),
    ...fs
      .readdirSync(functionsDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(functionsDir, f)),
  ];
  // Only to follow the imports; each file is then transpiled alone, which is much faster than a checked emit.
  const program = ts.createProgram(entries, { noLib: true, types: [], resolveJsonModule: true });
  for (const source of program.getSourceFiles()) {
    if (source.fileName.includes('node_modules') || source.isDeclarationFile) continue;
    const out = path.join(buildRoot, 'dist', path.relative(repoRoot, source.fileName));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (source.fileName.endsWith('.json')) {
      fs.writeFileSync(out, source.text);
      continue;
    }
    const { outputText } = ts.transpileModule(source.text, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: source.fileName,
    });
    fs.writeFileSync(out.replace(/\.ts$/, '.js'), outputText);
  }
  fs.writeFileSync(path.join(buildRoot, 'package.json'), JSON.stringify({ main: 'dist/functions/*.js' }));
  fs.copyFileSync(path.join(repoRoot, 'host.json'), path.join(buildRoot, 'host.json'));
  return path.join(buildRoot, 'dist', 'scripts', 'start.js');
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
}

/** Every live process, from /proc/<pid>/stat (the command name is in parentheses and may hold spaces). */
function processes(): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') continue; // a zombie has exited; only its parent's wait is missing
    found.push({ pid: Number(name), ppid: Number(fields[1]), pgrp: Number(fields[2]) });
  }
  return found;
}

/** The process and all its descendants, now. */
function treeOf(root: number): number[] {
  const all = processes();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const p of all) if (p.ppid === tree[i]) tree.push(p.pid);
  }
  return tree;
}

/** Which of these processes, or of the process group, are still alive. */
function survivors(pids: number[], group: number): number[] {
  return processes()
    .filter((p) => pids.includes(p.pid) || p.pgrp === group)
    .map((p) => p.pid);
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resolves once the output matches, with its length then (what came before the signal). */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<number>;
}

const runs: ChildProcess[] = [];
const portsGiven = new Set<number>();
let startScript: string;

beforeAll(() => {
  startScript = buildStartScript();
});

afterAll(() => {
  // A failed test must not leave its processes behind either.
  for (const child of runs) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone
    }
  }
  fs.rmSync(buildRoot, { recursive: true, force: true });
});

async function startRun(): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(PORT_VARIABLES) as Array<keyof DemoPorts>) {
    // The runs start side by side: a port one run was given is never given to another.
    let port = await freePort();
    while (portsGiven.has(port)) port = await freePort();
    portsGiven.add(port);
    env[PORT_VARIABLES[key]] = String(port);
  }
  // Its own process group, as a terminal gives a command: Ctrl-C signals the whole group.
  const child = spawn(process.execPath, [startScript], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runs.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const waitForOutput = async (pattern: RegExp, timeoutMs: number): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the start script exited before ${pattern}:\n${output}`);
      }
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return output.length;
  };
  return { child, output: () => output, exited, waitForOutput };
}

/** Signals, then checks the exit (code, time) and that nothing of the run is left. */
async function interruptAndCheck(run: Run, how: 'group' | 'process', expectedCode: number): Promise<void> {
  const pid = run.child.pid!;
  // Captured before the signal: Azurite, the script's child process, must be gone with it.
  const tree = treeOf(pid);
  const sentAt = Date.now();
  process.kill(how === 'group' ? -pid : pid, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    run.exited,
    new Promise<undefined>(
      (resolve) => (timer = setTimeout(() => resolve(undefined), EXIT_WITHIN_MS + 5000)),
    ),
  ]);
  clearTimeout(timer);
  if (!exit) throw new Error(`the start script did not exit after SIGINT:\n${run.output()}`);
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: expectedCode, signal: null });
  expect(exit.at - sentAt).toBeLessThan(EXIT_WITHIN_MS);
  expect(run.output()).toContain('stopping…');
  expect(survivors(tree, pid)).toEqual([]);
}

test.concurrent(
  'SIGINT in the middle of the demo: exits with 0 within the bound, no process left',
  async () => {
    const run = await startRun();
    // The demo has created its first event and waits for it to cross: the middle of the demo.
    await run.waitForOutput(/creates "Supplier review/, 45_000);
    expect(treeOf(run.child.pid!).length).toBeGreaterThan(1); // Azurite runs beside it
    await interruptAndCheck(run, 'group', 0);
    expect(run.output()).not.toMatch(/demo complete/);
    expect(run.output()).toContain('stopped; no process left behind.');
  },
  60_000,
);

test.concurrent(
  'SIGINT to the script alone during start-up: it stops Azurite itself, exits with 0',
  async () => {
    const run = await startRun();
    // Azurite is up, the sandbox services and the host are still starting.
    await run.waitForOutput(/Azurite \(tables, queues\) on/, 30_000);
    await interruptAndCheck(run, 'process', 0);
  },
  60_000,
);

test.concurrent(
  'a second Ctrl-C while the first stop runs kills everything at once',
  async () => {
    const run = await startRun();
    await run.waitForOutput(/first maintenance run/, 45_000);
    const pid = run.child.pid!;
    const tree = treeOf(pid);
    process.kill(-pid, 'SIGINT');
    await run.waitForOutput(/stopping…/, 5000);
    await new Promise((resolve) => setTimeout(resolve, 700)); // a second press, not the echo of the first
    const sentAt = Date.now();
    process.kill(-pid, 'SIGINT');
    const exit = await run.exited;
    expect(exit.at - sentAt).toBeLessThan(2000);
    expect(exit.code).toBe(130);
    expect(run.output()).toContain('stopped at once');
    expect(survivors(tree, pid)).toEqual([]);
  },
  60_000,
);

/** The pid of one of Azurite's processes (one per service), children of the script. */
function azuriteOf(run: Run): number {
  const pid = run.child.pid!;
  const child = processes().find((p) => p.ppid === pid);
  if (!child) throw new Error(`the start script has no child process:\n${run.output()}`);
  return child.pid;
}

test.concurrent.each([
  // Ctrl-C pressed twice reaches Azurite too. A process killed by a signal has no exit code: a stop that waits
  // for one waits for ever.
  ['Azurite already dead of a signal: the stop still finishes', 'SIGKILL' as const],
  // A stopped process takes SIGTERM only once continued, so nothing but SIGKILL ends it.
  ['a part whose stop never finishes (Azurite frozen) is killed at its bound', 'SIGSTOP' as const],
])(
  '%s',
  async (_name, azuriteGets) => {
    const run = await startRun();
    await run.waitForOutput(/creates "Supplier review/, 45_000);
    process.kill(azuriteOf(run), azuriteGets);
    await interruptAndCheck(run, 'process', 0);
    expect(run.output()).toContain('stopped; no process left behind.');
  },
  60_000,
);
