import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './free-port';

/** Azurite's well-known development account; it is public and not a secret. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  connectionString: string;
  ports: { blob: number; queue: number; table: number };
  /** SIGTERM, then SIGKILL if Azurite is still there after a grace; resolves once the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL now, for an exit that cannot wait. */
  kill(): void;
}

/** How long stop() lets Azurite close by itself before it is killed. */
const STOP_GRACE_MS = 3000;

export function connectionStringFor(ports: { blob: number; queue: number; table: number }): string {
  const base = 'http://127.0.0.1';
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=${base}:${ports.blob}/${DEV_ACCOUNT};QueueEndpoint=${base}:${ports.queue}/${DEV_ACCOUNT};` +
    `TableEndpoint=${base}:${ports.table}/${DEV_ACCOUNT};`
  );
}

/** Starts Azurite (blob, queue, table; in memory) as a child process and waits until it listens. */
export async function startAzurite(
  options: {
    ports?: { blob: number; queue: number; table: number };
    onOutput?: (line: string) => void;
    /** Aborting while Azurite starts kills it and rejects, so a start cut short leaves no process. */
    signal?: AbortSignal;
  } = {},
): Promise<AzuriteHandle> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const entry = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      entry,
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--blobPort',
      String(ports.blob),
      '--queuePort',
      String(ports.queue),
      '--tablePort',
      String(ports.table),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A process killed by a signal keeps exitCode null; signalCode says it is gone all the same.
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const kill = () => {
    if (!gone()) child.kill('SIGKILL');
  };
  const onAbort = () => kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) kill();
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`Azurite did not start within 20 s:\n${seen}`));
    }, 20000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      seen += text;
      options.onOutput?.(text);
      if (
        /Table service is successfully listening/.test(seen) &&
        /Queue service is successfully listening/.test(seen)
      ) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${signal ?? `code ${code}`}) before it was ready:\n${seen}`));
    });
  }).finally(() => options.signal?.removeEventListener('abort', onAbort));
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    connectionString: connectionStringFor(ports),
    ports,
    stop: () =>
      new Promise<void>((resolve) => {
        if (gone()) return resolve();
        // Azurite closes its servers on SIGTERM but only exits once every client connection has ended, which
        // may be never while a client of this process keeps one open: after the grace it is killed.
        const grace = setTimeout(kill, STOP_GRACE_MS);
        child.once('exit', () => {
          clearTimeout(grace);
          resolve();
        });
        child.kill('SIGTERM');
      }),
    kill,
  };
}
