import type { HttpRequest } from '@azure/functions';

/** Webhook bodies are small; anything near this is not a genuine delivery and is refused before it is read. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** The body as text, or undefined when it is larger than the cap (by header or by actual size). */
export async function readBodyCapped(
  request: HttpRequest,
  max = MAX_WEBHOOK_BODY_BYTES,
): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(declared) && declared > max) return undefined;
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > max) return undefined;
  return bytes.toString('utf8');
}
