import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getAppContext, type AppContext } from './context';

/** Webhook bodies are small; anything near this is not a genuine delivery and is refused before it is read. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

export interface WebhookInput {
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
}

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

/**
 * The HTTP side of every webhook function: cap and read the body, hand the parts to the use case with the app's
 * context, map its outcome to a response. The use cases never see HTTP objects.
 */
export function webhookHandler<O>(
  handle: (app: AppContext, input: WebhookInput, context: InvocationContext) => Promise<O>,
  respond: (outcome: O) => HttpResponseInit,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const body = await readBodyCapped(request);
    if (body === undefined) {
      getAppContext().log.warn('webhook request rejected', {
        function: context.functionName,
        invocationId: context.invocationId,
        status: 413,
        reason: `body is larger than the ${MAX_WEBHOOK_BODY_BYTES}-byte webhook cap`,
      });
      return { status: 413, jsonBody: { error: 'body too large' } };
    }
    const input = {
      query: request.query,
      contentType: request.headers.get('content-type') ?? undefined,
      body,
    };
    return respond(await handle(getAppContext(), input, context));
  };
}
