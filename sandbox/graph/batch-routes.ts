import { fail, type FakeGraphServices, type GraphRequest } from './context';
import { sendJson } from './http-util';

/**
 * JSON batching, `POST /v1.0/$batch` (learn.microsoft.com/graph/json-batching; reference graph.md §6.3): body
 * `{requests: [{id, method, url, headers?, body?, dependsOn?}]}`, at most 20, ids unique, `url` relative to the
 * version root, a `Content-Type` header wherever there is a body. The answer is `200 {responses: [{id, status,
 * headers, body}]}` in completion order, whatever the items' own statuses: each item is served by this fake as
 * the request on its own would be (authorisation, throttling, faults, a mailbox's concurrency), at most four at a
 * time ("Graph sends at most 4 unordered items of a batch to Outlook at a time"). An item whose dependency did
 * not succeed answers 424. The error texts for a malformed batch are the fake's own.
 */

export const MAX_BATCH_REQUESTS = 20;
const PARALLEL_ITEMS = 4;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

export interface LoopbackAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Sends one item to this fake itself, as Graph's batch front end sends it to the workload behind it. */
export type Loopback = (item: {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}) => Promise<LoopbackAnswer>;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

export async function handleBatch(
  s: FakeGraphServices,
  r: GraphRequest,
  loopback: Loopback,
): Promise<boolean> {
  if (r.segments.length !== 1 || r.segments[0] !== '$batch') return false;
  if (r.method !== 'POST') {
    fail(s, r, 405, 'BadRequest', 'Only POST is supported on $batch.');
    return true;
  }
  const parsed = readBatch(r.body);
  if (typeof parsed === 'string') {
    fail(s, r, 400, 'BadRequest', parsed);
    return true;
  }
  const authorization = r.req.headers.authorization ?? '';
  const done = new Map<string, Promise<LoopbackAnswer>>();
  const responses: Array<LoopbackAnswer & { id: string }> = [];
  let running = 0;
  const waiters: Array<() => void> = [];
  const slot = async () => {
    while (running >= PARALLEL_ITEMS) await new Promise<void>((resolve) => waiters.push(resolve));
    running++;
  };
  const release = () => {
    running--;
    waiters.shift()?.();
  };
  const run = async (item: BatchItem): Promise<LoopbackAnswer> => {
    const before = await Promise.all(item.dependsOn.map((id) => done.get(id)!));
    if (before.some((a) => a.status < 200 || a.status >= 300)) {
      return {
        status: 424,
        headers: { 'content-type': 'application/json' },
        body: { error: { code: 'FailedDependency', message: 'A request this request depends on failed.' } },
      };
    }
    await slot();
    try {
      return await loopback({
        method: item.method,
        path: `/v1.0${item.url.startsWith('/') ? '' : '/'}${item.url}`,
        headers: { ...lowerKeys(item.headers), authorization },
        body: item.body === undefined ? undefined : JSON.stringify(item.body),
      });
    } catch (err) {
      return {
        status: 500,
        headers: { 'content-type': 'application/json' },
        body: { error: { code: 'generalException', message: (err as Error).message } },
      };
    } finally {
      release();
    }
  };
  for (const item of parsed) {
    const answer = run(item);
    done.set(item.id, answer);
    void answer.then((a) => responses.push({ id: item.id, ...a }));
  }
  await Promise.all(done.values());
  sendJson(r.res, 200, {
    responses: responses.map(({ id, status, headers, body }) => ({ id, status, headers, body })),
  });
  return true;
}

/** The items, or what is wrong with the batch. */
function readBatch(body: unknown): BatchItem[] | string {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    return 'Invalid batch payload: requests must be a non-empty array.';
  if (requests.length > MAX_BATCH_REQUESTS) {
    return `Invalid batch payload: at most ${MAX_BATCH_REQUESTS} requests are allowed in one batch.`;
  }
  const items: BatchItem[] = [];
  const ids = new Set<string>();
  for (const raw of requests as Array<Record<string, unknown>>) {
    const id = raw?.id;
    if (typeof id !== 'string' || !id) return 'Invalid batch payload: every request needs an id.';
    if (ids.has(id)) return `Invalid batch payload: the request id '${id}' is used more than once.`;
    const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : '';
    if (!METHODS.has(method)) return `Invalid batch payload: request '${id}' has no valid method.`;
    const url = raw.url;
    if (typeof url !== 'string' || !url || /^[a-z]+:\/\//i.test(url)) {
      return `Invalid batch payload: request '${id}' needs a url relative to the version root.`;
    }
    const headers = (raw.headers ?? {}) as Record<string, string>;
    if (raw.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      return `Invalid batch payload: request '${id}' has a body but no Content-Type header.`;
    }
    const dependsOn = Array.isArray(raw.dependsOn) ? raw.dependsOn.map(String) : [];
    if (dependsOn.some((d) => !ids.has(d))) {
      return `Invalid batch payload: request '${id}' depends on a request that does not come before it.`;
    }
    ids.add(id);
    items.push({ id, method, url, headers, body: raw.body, dependsOn });
  }
  return items;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}
