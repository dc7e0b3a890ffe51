import { spawn } from 'node:child_process';
import path from 'node:path';
import { APP_ROOT } from '../support/paths';
import { progress } from '../support/progress';

export interface WorkerApart {
  pid: number;
  stop(): Promise<void>;
}

/**
 * The app's queue trigger (the sync worker) on a local host of its own, in another process, while the bench's host
 * serves HTTP only: the layout Flex Consumption gives a deployed app, where HTTP triggers scale as one group and every
 * other function on instances of its own (learn.microsoft.com/azure/azure-functions/flex-consumption-plan,
 * "Per-function scaling"). Both read the app settings the bench's host applied to this process's environment.
 */
export function startWorkerApart(): WorkerApart {
  const child = spawn(
    process.execPath,
    [path.join(APP_ROOT, 'dist/sandbox/host/cli.js'), '--app-root', APP_ROOT, '--no-timers', '--port', '0'],
    // Its host prints each invocation on stdout, which carries the bench's figures.
    { env: process.env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let stopping = false;
  // Said at once: the bench would otherwise wait out its settle time for pulls that never run.
  child.once('exit', (code) => {
    if (!stopping) progress(`the worker's host exited with code ${code}; no pull runs from here on`);
  });
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      stopping = true;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
