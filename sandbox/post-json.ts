import { keepAliveRequest, readBody } from '../shared/platform/keep-alive-request';

/**
 * The fakes' pushes (DingTalk callbacks, Graph notifications) as plain keep-alive requests, not fetch: in the
 * bench's bursts the fakes make one push per change on the same two cores as the app, and what they spend is taken
 * from what the app is measured on.
 */
export interface PostAnswer {
  status: number;
  text: string;
}

/** Named as AbortSignal.timeout's error, which the senders tell apart from other failures. */
export class PostTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

export async function postJson(
  url: string,
  body: string,
  contentType: string,
  timeoutMs: number,
): Promise<PostAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new PostTimeoutError(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    const signal = controller.signal;
    const res = await keepAliveRequest(new URL(url), {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
      signal,
    });
    return { status: res.statusCode ?? 0, text: (await readBody(res, signal)).toString('utf8') };
  } finally {
    clearTimeout(timer);
  }
}
