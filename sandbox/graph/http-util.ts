import type { IncomingMessage, ServerResponse } from 'node:http';

/** Small HTTP helpers shared by the fake's routes. */

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The whole body as bytes. Past MAX_BODY_BYTES the rest is read and dropped, so that the answer (413) reaches a
 * client that is still sending rather than a reset connection.
 */
export async function readBodyBytes(req: IncomingMessage): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return {
    bytes: size > MAX_BODY_BYTES ? Buffer.alloc(0) : Buffer.concat(chunks),
    tooLarge: size > MAX_BODY_BYTES,
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined
      ? {}
      : {
          'content-type':
            'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
        }),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, headers);
  res.end();
}

/** The Prefer header split into its preferences ("odata.maxpagesize=5, IdType=\"ImmutableId\""). */
export function preferences(req: IncomingMessage): Map<string, string> {
  const raw = req.headers.prefer;
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const [name, ...rest] = part.split('=');
    if (!name.trim()) continue;
    out.set(name.trim().toLowerCase(), rest.join('=').trim().replace(/^"|"$/g, ''));
  }
  return out;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
