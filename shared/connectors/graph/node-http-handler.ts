import { Readable } from 'node:stream';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { keepAliveRequest, readBody } from '../../platform/keep-alive-request';

/**
 * The Graph SDK's last middleware, sending the request with node:https over keep-alive connections instead of the
 * global fetch: fetch cost about 1 ms of CPU per Graph request in a profile of the bench's DingTalk → Outlook burst,
 * 17 % of the app's CPU (docs/benchmarks.md); a plain request costs a fraction. Hand-written because the SDK takes
 * no other transport than a middleware, and no maintained library offers one.
 *
 * JSON answers are read whole; any other (a message's MIME from `$value`) is handed on as a stream, so a 25 MB
 * message is never held twice.
 */
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
    const method = options.method ?? 'GET';
    const signal = options.signal ?? undefined;
    const res = await keepAliveRequest(url, {
      method,
      headers: headersOf(options.headers),
      body: body ?? undefined,
      signal,
    });
    const status = res.statusCode ?? 0;
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const init = { status, statusText: res.statusMessage ?? '', headers };
    if (status === 204 || status === 304 || method === 'HEAD') {
      res.resume();
      context.response = new Response(null, init);
    } else if (/json/i.test(res.headers['content-type'] ?? '')) {
      context.response = new Response(await readBody(res, signal), init);
    } else {
      context.response = new Response(Readable.toWeb(res) as ReadableStream, init);
    }
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
