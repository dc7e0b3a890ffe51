import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson } from '../../../sandbox/post-json';

let server: http.Server;
let base: string;
const received: Array<{ type?: string; length?: string; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ type: req.headers['content-type'], length: req.headers['content-length'], body });
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 1000);
      res.writeHead(req.url === '/refuse' ? 403 : 200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`got ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('posts the body with its type and length, and answers the status and text', async () => {
  expect(await postJson(`${base}/ok`, '{"a":"会"}', 'application/json', 1000)).toEqual({
    status: 200,
    text: 'got {"a":"会"}',
  });
  expect(received.at(-1)).toEqual({ type: 'application/json', length: '11', body: '{"a":"会"}' });
  expect((await postJson(`${base}/refuse`, '{}', 'application/json', 1000)).status).toBe(403);
});

test('no answer within the time fails as a TimeoutError, as AbortSignal.timeout does', async () => {
  await expect(postJson(`${base}/slow`, '{}', 'application/json', 50)).rejects.toMatchObject({
    name: 'TimeoutError',
    message: 'no answer within 50 ms',
  });
});

test('a connection refused fails with its own error', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await expect(postJson(`http://127.0.0.1:${port}/`, '{}', 'application/json', 1000)).rejects.toMatchObject({
    code: 'ECONNREFUSED',
  });
});
