import http from 'node:http';
import https from 'node:https';

/**
 * The fakes' pushes (DingTalk callbacks, Graph notifications) as plain keep-alive requests. Node's fetch costs
 * about 1 ms of CPU per request, and in the bench's bursts the fakes make one push per change on the same two cores
 * as the app: what they spend is taken from what the app is measured on.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 256 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 256 }),
};

export interface PostAnswer {
  status: number;
  text: string;
}

/** Named as AbortSignal.timeout's error, which the senders tell apart from other failures. */
export class PostTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export function postJson(
  url: string,
  body: string,
  contentType: string,
  timeoutMs: number,
): Promise<PostAnswer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const payload = Buffer.from(body);
  return new Promise<PostAnswer>((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as 'http:' | 'https:'],
        headers: { 'content-type': contentType, 'content-length': String(payload.byteLength) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
      },
    );
    const timer = setTimeout(
      () => request.destroy(new PostTimeoutError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    request.on('error', fail);
    request.end(payload);
  });
}
