import { createServer } from 'node:net';

/**
 * Ports are drawn below Linux's default ephemeral range (32768–60999, ip_local_port_range in
 * https://www.kernel.org/doc/html/latest/networking/ip-sysctl.html): the kernel hands that range to every
 * outgoing connection, so a port found free there can be taken by some client's socket before the server that
 * was meant to have it starts listening.
 */
export const FREE_PORT_RANGE = { low: 15000, high: 32767 } as const;
const ATTEMPTS = 64;

/** A TCP port on 127.0.0.1 that nothing listens on now, outside the ephemeral range when one can be found. */
export async function freePort(random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port =
      FREE_PORT_RANGE.low + Math.floor(random() * (FREE_PORT_RANGE.high - FREE_PORT_RANGE.low + 1));
    if (await canListen(port)) return port;
  }
  // Every draw was taken (a very busy machine): let the kernel choose.
  return listenAndRelease(0);
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenAndRelease(port);
    return true;
  } catch {
    return false;
  }
}

function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}
