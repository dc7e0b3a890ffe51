import { spawn } from 'node:child_process';
import path from 'node:path';
import { BUDGETS } from '../support/budgets';
import { progress } from '../support/progress';
import { median, round } from '../support/stats';

/** Load time of one loading path over the runs: median and spread. */
export interface LoadFigure {
  /** Requiring every dist/functions/*.js in a fresh process, median of the runs. */
  medianMs: number;
  /** Fastest and slowest run. */
  spreadMs: { min: number; max: number };
  runsMs: number[];
  /** CPU time (user + system) of the same loads, median: on a busy machine it moves far less than the elapsed time. */
  cpuMedianMs: number;
  /** From spawn to exit of the same processes (Node's own start included), median. */
  processMedianMs: number;
  modulesLoaded: number;
}

/** The app as shipped (SDKs required on first use); `eager` is the path it had before, measured in the same run. */
export interface ColdStartFigure extends LoadFigure {
  functions: number;
  budgetMs: number;
  withinBudget: boolean;
  /** The app with the SDKs and remote services required up front, as it loaded before they were deferred. */
  eager: LoadFigure;
  /** medianMs / eager.medianMs */
  ratioToEager: number;
}

type LoadingPath = 'lazy' | 'eager';

interface ChildReport {
  loadMs: number;
  cpuMs: number;
  files: number;
  functions: number;
  modules: number;
}

interface Run {
  report: ChildReport;
  processMs: number;
}

const CHILD = path.join(__dirname, '..', 'cold-start', 'load-app.js');

/**
 * Module load of the function app in fresh `node` processes, one after another, `runs` for each loading path.
 * The two paths alternate (and swap which goes first) so that a busy spell on the machine hits both alike.
 */
export async function measureColdStart(runs: number): Promise<ColdStartFigure> {
  const results: Record<LoadingPath, Run[]> = { lazy: [], eager: [] };
  for (let i = 0; i < runs; i++) {
    const order: LoadingPath[] = i % 2 === 0 ? ['lazy', 'eager'] : ['eager', 'lazy'];
    for (const loading of order) results[loading].push(await timedChild(loading));
  }
  const lazy = summarize(results.lazy);
  const eager = summarize(results.eager);
  progress(`cold start: median ${lazy.medianMs} ms (${lazy.runsMs.join(', ')})`);
  progress(`cold start, SDKs required up front: median ${eager.medianMs} ms (${eager.runsMs.join(', ')})`);
  return {
    ...lazy,
    functions: results.lazy[0]!.report.functions,
    budgetMs: BUDGETS.coldStartMs,
    withinBudget: lazy.medianMs <= BUDGETS.coldStartMs,
    eager,
    ratioToEager: round(lazy.medianMs / eager.medianMs, 2),
  };
}

function summarize(runs: Run[]): LoadFigure {
  const loads = runs.map((r) => round(r.report.loadMs));
  return {
    medianMs: round(median(loads)),
    spreadMs: { min: Math.min(...loads), max: Math.max(...loads) },
    runsMs: loads,
    cpuMedianMs: round(median(runs.map((r) => r.report.cpuMs))),
    processMedianMs: round(median(runs.map((r) => r.processMs))),
    modulesLoaded: runs[0]!.report.modules,
  };
}

async function timedChild(loading: LoadingPath): Promise<Run> {
  const started = performance.now();
  const report = await runChild(loading === 'eager' ? ['--eager'] : []);
  return { report, processMs: performance.now() - started };
}

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    // Only what a Functions worker would have: no sandbox TLS, sandbox mode settings from the defaults.
    const env = { PATH: process.env.PATH ?? '', SYNC_MODE: 'sandbox' };
    const child = spawn(process.execPath, [CHILD, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
