import { createServer, type Server } from 'node:net';
import { FREE_PORT_RANGE, freePort } from '../../../sandbox/free-port';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A draw that lands on exactly `port` in FREE_PORT_RANGE. */
function drawFor(port: number): number {
  return (port - FREE_PORT_RANGE.low + 0.5) / (FREE_PORT_RANGE.high - FREE_PORT_RANGE.low + 1);
}

describe('freePort', () => {
  it('gives a port below the ephemeral range that a server can then listen on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(FREE_PORT_RANGE.low);
    expect(port).toBeLessThanOrEqual(FREE_PORT_RANGE.high);
    await close(await listen(port));
  });

  it('draws again when the drawn port is taken', async () => {
    const taken = await listen(await freePort());
    const takenPort = (taken.address() as { port: number }).port;
    const other = await freePort();
    const draws = [drawFor(takenPort), drawFor(other)];
    try {
      expect(await freePort(() => draws.shift()!)).toBe(other);
      expect(draws).toHaveLength(0);
    } finally {
      await close(taken);
    }
  });

  it('lets the kernel choose when every draw is taken', async () => {
    const taken = await listen(await freePort());
    const takenPort = (taken.address() as { port: number }).port;
    try {
      const port = await freePort(() => drawFor(takenPort));
      expect(port).not.toBe(takenPort);
      expect(port).toBeGreaterThan(0);
      await close(await listen(port));
    } finally {
      await close(taken);
    }
  });
});
