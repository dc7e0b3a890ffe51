import { createServer } from 'node:net';

export interface DemoPorts {
  functions: number;
  graph: number;
  dingtalk: number;
  blob: number;
  queue: number;
  table: number;
  /** The sandbox DingTalk Mail server (IMAP over TLS). */
  mail: number;
  keyVault: number;
}

const DEFAULT_PORTS: DemoPorts = {
  functions: 7071,
  graph: 7443,
  dingtalk: 7444,
  blob: 10000,
  queue: 10001,
  table: 10002,
  mail: 7993,
  keyVault: 7445,
};

/** The variable that moves each port, so that a second copy (or a test) can run beside the first. */
export const PORT_VARIABLES: Record<keyof DemoPorts, string> = {
  functions: 'DEMO_PORT_FUNCTIONS',
  graph: 'DEMO_PORT_GRAPH',
  dingtalk: 'DEMO_PORT_DINGTALK',
  blob: 'DEMO_PORT_BLOB',
  queue: 'DEMO_PORT_QUEUE',
  table: 'DEMO_PORT_TABLE',
  mail: 'DEMO_PORT_MAIL',
  keyVault: 'DEMO_PORT_KEYVAULT',
};

/** The defaults, each replaced by its DEMO_PORT_* variable when set; a value that is not a port stops the start. */
export function demoPorts(env: NodeJS.ProcessEnv = process.env): DemoPorts {
  const ports = { ...DEFAULT_PORTS };
  for (const key of Object.keys(PORT_VARIABLES) as Array<keyof DemoPorts>) {
    const raw = env[PORT_VARIABLES[key]];
    if (raw === undefined || raw === '') continue;
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`${PORT_VARIABLES[key]}=${raw} is not a port (1 to 65535).`);
    }
    ports[key] = port;
  }
  return ports;
}

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
        'stop whatever holds them (another npm start, Azurite or a Functions host) and try again, ' +
        `or move them with ${Object.values(PORT_VARIABLES).join(', ')}.`,
    );
  }
}
