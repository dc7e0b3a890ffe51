import { createServer } from 'node:net';

export const DEMO_PORTS = {
  functions: 7071,
  graph: 7443,
  dingtalk: 7444,
  blob: 10000,
  queue: 10001,
  table: 10002,
};

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Fails before anything starts, naming the ports that are taken, instead of half-starting. */
export async function assertPortsFree(ports: number[]): Promise<void> {
  const taken: number[] = [];
  for (const port of ports) if (!(await isFree(port))) taken.push(port);
  if (taken.length > 0) {
    throw new Error(
      `port(s) ${taken.join(', ')} on 127.0.0.1 are in use. npm start needs ${ports.join(', ')}: ` +
        'stop whatever holds them (another npm start, Azurite or a Functions host) and try again.',
    );
  }
}
