import { createServer, type Server } from 'node:http';
import type { GraphChangeNotification } from '../../../shared/connectors/graph/wire-types';

/**
 * A tiny webhook endpoint for tests: answers Graph's validation handshake (correctly, wrongly, slowly or not at
 * all, as told) and records every notification it receives.
 */

export type ValidationBehaviour = 'echo' | 'encoded' | 'status500' | 'json' | { delayMs: number };

export interface NotificationReceiver {
  url: string;
  validations: string[];
  received: GraphChangeNotification[];
  /** Every notification POST body as it arrived ({ value: [...] }). */
  bodies: unknown[];
  /** Status to answer notifications with (default 202). */
  notificationStatus: number;
  validation: ValidationBehaviour;
  waitFor(predicate: (all: GraphChangeNotification[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startNotificationReceiver(
  validation: ValidationBehaviour = 'echo',
): Promise<NotificationReceiver> {
  const receiver = {
    url: '',
    validations: [] as string[],
    received: [] as GraphChangeNotification[],
    bodies: [] as unknown[],
    notificationStatus: 202,
    validation,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const token = url.searchParams.get('validationToken');
      if (token !== null) {
        receiver.validations.push(token);
        return answerValidation(receiver.validation, token, res);
      }
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          value: GraphChangeNotification[];
        };
        receiver.bodies.push(body);
        receiver.received.push(...body.value);
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(receiver.notificationStatus).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  receiver.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/graph/notifications`;
  return Object.assign(receiver, {
    async waitFor(predicate: (all: GraphChangeNotification[]) => boolean, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(receiver.received)) {
        if (Date.now() > until)
          throw new Error(`timed out waiting for notifications; got ${JSON.stringify(receiver.received)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function answerValidation(
  behaviour: ValidationBehaviour,
  token: string,
  res: import('node:http').ServerResponse,
): void {
  const plain = { 'content-type': 'text/plain; charset=utf-8' };
  if (behaviour === 'echo') return void res.writeHead(200, plain).end(token);
  if (behaviour === 'encoded') return void res.writeHead(200, plain).end(encodeURIComponent(token));
  if (behaviour === 'status500') return void res.writeHead(500, plain).end(token);
  if (behaviour === 'json')
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(token));
  setTimeout(() => res.writeHead(200, plain).end(token), behaviour.delayMs);
}
