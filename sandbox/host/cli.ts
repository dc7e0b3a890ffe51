/**
 * Runs the function app on the local host until Ctrl-C / SIGTERM.
 * Usage: node dist/sandbox/host/cli.js [--app-root DIR] [--port N] [--hostname H] [--no-timers] [--no-queues]
 * The app root defaults to the repository root (the nearest folder above with a package.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalHost } from './local-host';

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}.`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'app-root': { type: 'string' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      'no-timers': { type: 'boolean' },
      'no-queues': { type: 'boolean' },
    },
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0))
    throw new Error(`--port must be a port number, got '${values.port}'.`);
  const host = await startLocalHost({
    appRoot: path.resolve(values['app-root'] ?? repositoryRoot(__dirname)),
    port,
    hostname: values.hostname,
    timers: !values['no-timers'],
    queues: !values['no-queues'],
  });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
