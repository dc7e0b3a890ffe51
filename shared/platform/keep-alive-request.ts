import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP request over a process-wide keep-alive connection pool, with node:http(s) rather than the global fetch:
 * Node's fetch (undici, its web streams and abort signals) cost about 1 ms of CPU per request in the bench's
 * bursts (docs/benchmarks.md). Used by the Graph transport and by the fakes' pushes.
 */
const agents = {
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
};

export interface KeepAliveRequest {
  method: string;
  /** Lower-case names; content-length is set here from the body. */
  headers: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/**
 * Resolves with the response once its head has arrived (the body unread). A request aborted by its signal fails
 * with the signal's reason, as fetch does ("Graph request timed out" rather than "The operation was aborted").
 */
export function keepAliveRequest(url: URL, request: KeepAliveRequest): Promise<http.IncomingMessage> {
  const transport = url.protocol === 'https:' ? https : http;
  const payload = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers = payload
    ? { ...request.headers, 'content-length': String(payload.byteLength) }
    : request.headers;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      {
        method: request.method,
        headers,
        agent: agents[url.protocol as 'https:' | 'http:'],
        signal: request.signal,
      },
      resolve,
    );
    req.on('error', (err) => reject(failureOf(err, request.signal)));
    req.end(payload);
  });
}

/** The whole body of a response; an abort while it is read fails with the signal's reason too. */
export function readBody(res: http.IncomingMessage, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', (err) => reject(failureOf(err, signal)));
  });
}

function failureOf(err: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted && signal.reason instanceof Error ? signal.reason : err;
}
