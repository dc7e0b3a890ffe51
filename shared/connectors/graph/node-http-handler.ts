import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/**
 * The Graph SDK's last middleware, sending the request with node:https instead of the global fetch. Node's fetch
 * (undici, with its web streams and abort signals) cost about 1 ms of CPU per Graph request in a profile of the
 * bench's DingTalk → Outlook burst, 17 % of the app's CPU (docs/benchmarks.md); a plain request costs a fraction.
 * Hand-written because the SDK takes no other transport than a middleware, and no maintained library offers one.
 *
 * JSON answers are read whole; any other (a message's MIME from `$value`) is handed on as a stream, so a 25 MB
 * message is never held twice.
 */
const agents = {
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
};

export class NodeHttpMessageHandler implements Middleware {
  async execute(context: Context): Promise<void> {
    const url = new URL(typeof context.request === 'string' ? context.request : context.request.url);
    const options = context.options ?? {};
    const body = options.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      // Streams and forms: the SDK's own way (none of the app's JSON calls sends one).
      context.response = await fetch(context.request, options as RequestInit);
      return;
    }
    context.response = await send(
      url,
      options.method ?? 'GET',
      headersOf(options.headers),
      body,
      options.signal,
    );
  }
}

function headersOf(headers: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const entries =
    headers instanceof Headers
      ? headers.entries()
      : Array.isArray(headers)
        ? headers
        : Object.entries(headers);
  for (const [name, value] of entries) out[name.toLowerCase()] = String(value);
  return out;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined | null,
  signal: AbortSignal | null | undefined,
): Promise<Response> {
  const transport = url.protocol === 'https:' ? https : http;
  const payload = body === undefined || body === null ? undefined : Buffer.from(body);
  if (payload) headers['content-length'] = String(payload.byteLength);
  return new Promise<Response>((resolve, reject) => {
    // As fetch does: a request aborted by its signal fails with the signal's reason ("Graph request timed out").
    const fail = (err: unknown) =>
      reject(signal?.aborted && signal.reason instanceof Error ? signal.reason : err);
    const request = transport.request(
      url,
      { method, headers, agent: agents[url.protocol as 'https:' | 'http:'], signal: signal ?? undefined },
      (res) => {
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
          else if (value !== undefined) responseHeaders.set(name, value);
        }
        const init = { status, statusText: res.statusMessage ?? '', headers: responseHeaders };
        const noBody = status === 204 || status === 304 || method === 'HEAD';
        if (noBody) {
          res.resume();
          resolve(new Response(null, init));
          return;
        }
        if (!/json/i.test(res.headers['content-type'] ?? '')) {
          resolve(new Response(Readable.toWeb(res) as ReadableStream, init));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), init)));
        res.on('error', fail);
      },
    );
    request.on('error', fail);
    request.end(payload);
  });
}
