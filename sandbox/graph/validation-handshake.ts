import { newGuid } from './ids';

/**
 * Graph's notificationUrl validation: POST {url}?validationToken={token} with an empty text/plain body; the
 * endpoint must answer 200, text/plain, the URL-decoded token verbatim, within the deadline (10 s in Graph).
 */

export type HandshakeResult = { ok: true } | { ok: false; message: string };

/** Real tokens are human-readable text with spaces and colons, which catches endpoints that echo them encoded. */
export const newValidationToken = () =>
  `Validation: Testing client application reachability for subscription Request-Id: ${newGuid()}`;

export function withQuery(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.append(name, value);
  return u.toString();
}

export async function validateEndpoint(url: string, timeoutMs: number): Promise<HandshakeResult> {
  const token = newValidationToken();
  let response: Response;
  try {
    response = await fetch(withQuery(url, 'validationToken', token), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return { ok: false, message: 'Subscription validation request timed out.' };
    return {
      ok: false,
      message:
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    };
  }
  const text = await response.text().catch(() => '');
  if (response.status !== 200) {
    return {
      ok: false,
      message:
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    };
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('text/plain') || text !== token) {
    return {
      ok: false,
      message:
        'Subscription validation request failed. Response must exactly match validationToken query parameter.',
    };
  }
  return { ok: true };
}
