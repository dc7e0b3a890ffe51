import { createServer, type Server } from 'node:http';

export interface ValidationEndpoint {
  url: string;
  /** Handshakes answered so far. */
  handshakes(): number;
  stop(): Promise<void>;
}

/**
 * Answers Graph's subscription validation handshake (POST ?validationToken=… → 200, text/plain, the token) and
 * accepts anything else with 202. The scale phase runs the timer's code in this process without the Functions
 * host; creating a subscription only needs its notification URL to pass this handshake.
 */
export async function startValidationEndpoint(): Promise<ValidationEndpoint> {
  let answered = 0;
  const server: Server = createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('validationToken');
    req.resume();
    req.on('end', () => {
      if (token === null) {
        res.writeHead(202).end();
        return;
      }
      answered++;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(token);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    handshakes: () => answered,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
