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

/** The three services, each its own Azurite process (`azurite-blob`, `azurite-queue`, `azurite-table`). */
const SERVICES = [
  { name: 'blob', entry: 'dist/src/blob/main.js', ready: /Blob service successfully listens/ },
  { name: 'queue', entry: 'dist/src/queue/main.js', ready: /Queue service successfully listens/ },
  { name: 'table', entry: 'dist/src/table/main.js', ready: /Table service successfully started/ },
] as const;

type ServiceName = (typeof SERVICES)[number]['name'];

/**
 * Starts Azurite (blob, queue, table; in memory) and waits until every service listens. Each service runs in a
 * process of its own, as Azure's are separate services: in one process, a burst of table operations delayed the
 * queue messages that webhooks wait for, and the queue's garbage collector stalled the tables too.
 */
export async function startAzurite(
  options: {
    ports?: { blob: number; queue: number; table: number };
    onOutput?: (line: string) => void;
    /** Aborting while Azurite starts kills it and rejects, so a start cut short leaves no process. */
    signal?: AbortSignal;
  } = {},
): Promise<AzuriteHandle> {
  const ports = options.ports ?? { blob: await freePort(), queue: await freePort(), table: await freePort() };
  const root = path.dirname(require.resolve('azurite/package.json'));
  const children = SERVICES.map((service) =>
    spawn(
      process.execPath,
      [
        path.join(root, service.entry),
        '--inMemoryPersistence',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--loose',
        `--${service.name}Port`,
        String(ports[service.name as ServiceName]),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  // A process killed by a signal keeps exitCode null; signalCode says it is gone all the same.
  const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
  const kill = () => {
    for (const child of children) if (!gone(child)) child.kill('SIGKILL');
  };
  const onAbort = () => kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) kill();
  try {
    await Promise.all(children.map((child, i) => ready(child, SERVICES[i].ready, options.onOutput)));
  } catch (err) {
    kill();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  for (const child of children) {
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.resume();
    child.stderr?.resume();
  }
  return {
    connectionString: connectionStringFor(ports),
    ports,
    stop: () => Promise.all(children.map((child) => stopChild(child, gone))).then(() => undefined),
    kill,
  };
}

function ready(child: ChildProcess, pattern: RegExp, onOutput?: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start within 20 s:\n${seen}`)), 20000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      seen += text;
      onOutput?.(text);
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${signal ?? `code ${code}`}) before it was ready:\n${seen}`));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Azurite closes its servers on SIGTERM but only exits once every client connection has ended, which may be never
 * while a client of this process keeps one open: after the grace it is killed.
 */
function stopChild(child: ChildProcess, gone: (child: ChildProcess) => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    if (gone(child)) return resolve();
    const grace = setTimeout(() => {
      if (!gone(child)) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(grace);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
