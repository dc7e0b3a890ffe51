import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';

const READY_TIMEOUT_MS = 20_000;

/**
 * A bench helper process (the fakes, the ack sender) forked with an IPC channel, once its first message (its "ready")
 * has arrived. `name` says which one in the errors.
 */
export async function forkReady<R>(
  file: string,
  name: string,
  options: Pick<ForkOptions, 'serialization'> = {},
): Promise<{ child: ChildProcess; ready: R }> {
  const child = fork(file, [], { ...options, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<R>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000} s`)),
      READY_TIMEOUT_MS,
    );
    child.once('message', (message: R) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
  return { child, ready };
}

/** Closes the channel, which the helper answers by exiting, and waits for the exit. */
export async function stopForked(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.connected) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  await exited;
}
