/**
 * Stopping the host: refuse new connections, stop timers and pollers, wait (bounded) for what is running,
 * then close every connection. Invocations still running at the deadline are abandoned and logged.
 */
import type { Server } from 'node:http';
import type { FunctionInvoker } from './invoker';
import type { HostLog } from './log';
import type { QueueListener } from './queues/queue-listener';
import type { TimerListener } from './timers/timer-listener';

export async function shutdown(parts: {
  log: HostLog;
  server: Server;
  httpIdle(): Promise<void>;
  invoker: FunctionInvoker;
  timers: TimerListener[];
  queues: QueueListener[];
  timeoutMs: number;
}): Promise<void> {
  const { log, server } = parts;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const quiesced = Promise.all([
    ...parts.timers.map((t) => t.stop()),
    ...parts.queues.map((q) => q.stop()),
    parts.invoker.drain(parts.timeoutMs),
    parts.httpIdle(),
  ]).then(() => true);
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    quiesced,
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), parts.timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!finished) {
    log.warn(
      `Stopped after ${parts.timeoutMs} ms with ${parts.invoker.runningCount} invocation(s) still running; they were abandoned.`,
    );
  }
  server.closeAllConnections();
  await closed;
  log.info('Host stopped.');
}
