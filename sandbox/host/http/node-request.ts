/** Turns a node:http request into the library's HttpRequest, as the worker builds it from the host's RPC data. */
import type { IncomingMessage } from 'node:http';
import { HttpRequest } from '@azure/functions';

/** Azure Functions' HTTP request length limit. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

export class RequestBodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body exceeds the limit of ${limit} bytes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes)
    return Promise.reject(new RequestBodyTooLargeError(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.resume();
        reject(new RequestBodyTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function toFunctionsRequest(
  req: IncomingMessage,
  body: Buffer,
  params: Record<string, string>,
  fallbackHost: string,
): HttpRequest {
  const url = `http://${req.headers.host ?? fallbackHost}${req.url ?? '/'}`;
  return new HttpRequest({
    url,
    method: req.method ?? 'GET',
    headers: headersOf(req),
    params,
    body: body.length > 0 ? { bytes: new Uint8Array(body.buffer, body.byteOffset, body.length) } : undefined,
  });
}
