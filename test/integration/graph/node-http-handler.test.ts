import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from '@microsoft/microsoft-graph-client';
import { NodeHttpMessageHandler } from '../../../shared/connectors/graph/node-http-handler';

/** A local server answering by path, recording what it was sent. */
let server: http.Server;
let base: string;
const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/json') {
        res.setHeader('set-cookie', ['a=1', 'b=2']);
        res.writeHead(201, { 'content-type': 'application/json; odata.metadata=minimal' });
        res.end(JSON.stringify({ id: '1', subject: '会议' }));
      } else if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
      } else if (req.url === '/mime') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('Subject: x\r\n\r\n');
        setTimeout(() => res.end('body'), 20);
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('{}'), 2000);
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ErrorItemNotFound', message: 'not found' } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function run(path: string, options: Context['options'] = {}): Promise<Response> {
  const context: Context = { request: `${base}${path}`, options };
  await new NodeHttpMessageHandler().execute(context);
  return context.response!;
}

test('a JSON request is sent with its method, headers and body, and its answer read as fetch would give it', async () => {
  const body = JSON.stringify({ subject: '会议' });
  const res = await run('/json', {
    method: 'POST',
    headers: new Headers({ 'Content-Type': 'application/json', Prefer: 'IdType="ImmutableId"' }),
    body,
  });
  expect(res.status).toBe(201);
  expect(await res.json()).toEqual({ id: '1', subject: '会议' });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
  const sent = seen.at(-1)!;
  expect(sent).toMatchObject({ method: 'POST', url: '/json', body });
  expect(sent.headers.prefer).toBe('IdType="ImmutableId"');
  expect(sent.headers['content-length']).toBe(String(Buffer.byteLength(body)));
});

test('a 204 has no body, an error status comes back as an answer (the SDK reads its error), a MIME body streams', async () => {
  const empty = await run('/empty', { method: 'DELETE', headers: { 'If-Match': 'W/"1"' } });
  expect(empty.status).toBe(204);
  expect(empty.body).toBeNull();
  expect(seen.at(-1)!.headers['if-match']).toBe('W/"1"');

  const missing = await run('/missing');
  expect(missing.status).toBe(404);
  expect(await missing.json()).toEqual({ error: { code: 'ErrorItemNotFound', message: 'not found' } });

  const mime = await run('/mime');
  expect(mime.status).toBe(200);
  expect(await mime.text()).toBe('Subject: x\r\n\r\nbody');
});

test('a request aborted by its signal fails with the signal’s reason, as fetch does', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('Graph request timed out')), 50);
  await expect(run('/slow', { signal: controller.signal })).rejects.toThrow('Graph request timed out');
});

test('a connection refused fails the request (the SDK turns it into a failure without an answer)', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const context: Context = { request: `http://127.0.0.1:${port}/x`, options: {} };
  await expect(new NodeHttpMessageHandler().execute(context)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
