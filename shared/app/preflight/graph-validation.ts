import { randomUUID } from 'node:crypto';
import { reasonOf, type PreflightResult } from './types';

const ID = 'graph-validation';
const TITLE = "Public URL answers Graph's validation";
/** Graph's rule: 200, Content-Type text/plain, the URL-decoded token as the body, within 10 s (graph.md §1.3). */
export const VALIDATION_DEADLINE_MS = 10_000;
export const GRAPH_WEBHOOK_PATHS = ['/api/graph/notifications', '/api/graph/lifecycle'];

/**
 * Does what Graph does when a subscription is created, for the notification URL and the lifecycle URL alike:
 * `POST <url>?validationToken=<token>` with `Content-Type: text/plain; charset=utf-8`. The token has spaces and
 * a colon, as Graph's do, so an answer that echoes it still URL-encoded fails here as it would there. It is sent
 * from where the preflight runs (the function app itself after consent, or the admin's machine): an address that
 * only Microsoft's servers are refused by cannot be told from here.
 */
export async function checkGraphValidation(deps: {
  publicBaseUrl: string;
  fetch: typeof fetch;
}): Promise<PreflightResult> {
  const base = deps.publicBaseUrl.replace(/\/+$/, '');
  const answers = await Promise.all(
    GRAPH_WEBHOOK_PATHS.map((path) => validate(`${base}${path}`, deps.fetch)),
  );
  const failed = answers.filter((a) => a.problem);
  const slowest = Math.max(...answers.map((a) => a.ms));
  if (failed.length > 0) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: failed.map((a) => `${a.url}: ${a.problem}`).join('; '),
      fix:
        "PUBLIC_BASE_URL must be the function app's public https address, reachable from the internet (no IP " +
        'restriction or private endpoint in front of /api/graph); until it answers, Graph creates no subscription',
    };
  }
  return {
    id: ID,
    ok: true,
    title: TITLE,
    detail: `${answers.map((a) => a.url).join(' and ')} echoed the token as text/plain (slowest ${slowest} ms; Graph allows ${VALIDATION_DEADLINE_MS} ms)`,
    fix: '',
  };
}

async function validate(
  url: string,
  fetchImpl: typeof fetch,
): Promise<{ url: string; ms: number; problem?: string }> {
  const token = `Validation: preflight reachability check ${randomUUID()}`;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetchImpl(`${url}?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(VALIDATION_DEADLINE_MS),
    });
    const body = await response.text();
    const ms = elapsed();
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200) return { url, ms, problem: `answered HTTP ${response.status} in ${ms} ms` };
    if (!/^text\/plain\b/i.test(type))
      return { url, ms, problem: `answered ${type || 'no content type'}, not text/plain` };
    if (body !== token) return { url, ms, problem: 'did not echo the token exactly (URL-decoded)' };
    return { url, ms };
  } catch (err) {
    const ms = elapsed();
    const timedOut = (err as Error).name === 'TimeoutError';
    return {
      url,
      ms,
      problem: timedOut ? `no answer within ${VALIDATION_DEADLINE_MS} ms` : `not reachable: ${reasonOf(err)}`,
    };
  }
}
