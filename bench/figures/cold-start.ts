import { spawn } from 'node:child_process';
import path from 'node:path';
import { BUDGETS } from '../support/budgets';
import { progress } from '../support/progress';
import { median, round } from '../support/stats';

export interface ColdStartFigure {
  /** Requiring every dist/functions/*.js in a fresh process, median of the runs. */
  medianMs: number;
  runsMs: number[];
  /** From spawn to exit of the same processes (Node's own start included), median. */
  processMedianMs: number;
  functions: number;
  modulesLoaded: number;
  budgetMs: number;
  withinBudget: boolean;
}

interface ChildReport {
  loadMs: number;
  files: number;
  functions: number;
  modules: number;
}

const CHILD = path.join(__dirname, '..', 'cold-start', 'load-app.js');

/** Module load of the function app in fresh `node` processes, one after another. */
export async function measureColdStart(runs: number): Promise<ColdStartFigure> {
  const reports: ChildReport[] = [];
  const processMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    reports.push(await runChild());
    processMs.push(performance.now() - started);
  }
  const loads = reports.map((r) => round(r.loadMs));
  const medianMs = round(median(loads));
  progress(`cold start: median ${medianMs} ms (${loads.join(', ')})`);
  return {
    medianMs,
    runsMs: loads,
    processMedianMs: round(median(processMs)),
    functions: reports[0]!.functions,
    modulesLoaded: reports[0]!.modules,
    budgetMs: BUDGETS.coldStartMs,
    withinBudget: medianMs <= BUDGETS.coldStartMs,
  };
}

function runChild(): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // Only what a Functions worker would have: no sandbox TLS, sandbox mode settings from the defaults.
    const env = { PATH: process.env.PATH ?? '', SYNC_MODE: 'sandbox' };
    const child = spawn(process.execPath, [CHILD], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`cold-start child exited with ${code}: ${err.slice(0, 500)}`));
      try {
        resolve(JSON.parse(out) as ChildReport);
      } catch {
        reject(new Error(`cold-start child printed no figures: ${out.slice(0, 200)} ${err.slice(0, 300)}`));
      }
    });
  });
}
