/**
 * The host's admin API, the parts useful locally: list functions, and run a non-HTTP function by name
 * (`POST /admin/functions/{name}` with `{"input": "..."}` → 202, the invocation runs in the background).
 * The real host requires the master key here; locally, as with Core Tools, no key is checked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeFunction, type FunctionDescription } from '../describe';
import type { RegisteredFunction } from '../functions-core';
import type { HttpRoute } from './route-table';

export interface AdminApi {
  functions: RegisteredFunction[];
  routes: HttpRoute[];
  baseUrl(): string;
  /** Starts a non-HTTP invocation with the admin call's input; rejects for HTTP functions. */
  start(fn: RegisteredFunction, input: string | undefined): void;
}

const HOST_STATUS = { state: 'Running', version: '4.0.0-local' };

export function isAdminPath(segments: string[]): boolean {
  return segments[0]?.toLowerCase() === 'admin';
}

export async function handleAdmin(
  api: AdminApi,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
  body: Buffer,
): Promise<void> {
  const [, area, name, ...extra] = segments.map((s, i) => (i < 2 ? s.toLowerCase() : s));
  const method = (req.method ?? 'GET').toUpperCase();
  if (area === 'host' && name?.toLowerCase() === 'status' && extra.length === 0 && method === 'GET') {
    return json(res, 200, HOST_STATUS);
  }
  if (area !== 'functions' || extra.length > 0) return json(res, 404, undefined);
  if (name === undefined) {
    if (method !== 'GET') return json(res, 404, undefined);
    return json(
      res,
      200,
      api.functions.map((fn) => withInvokeUrl(api, describeFunction(fn))),
    );
  }
  const fn = api.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!fn) return json(res, 404, undefined);
  if (method === 'GET') return json(res, 200, withInvokeUrl(api, describeFunction(fn)));
  if (method !== 'POST') return json(res, 404, undefined);
  if (describeFunction(fn).trigger === 'http') {
    return json(res, 400, { error: `'${fn.name}' is HTTP-triggered; call its route instead.` });
  }
  let input: string | undefined;
  if (body.length > 0) {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { input?: unknown };
      input = parsed.input === undefined || parsed.input === null ? undefined : String(parsed.input);
    } catch {
      return json(res, 400, { error: 'The body must be JSON: {"input": "..."}.' });
    }
  }
  api.start(fn, input);
  return json(res, 202, undefined);
}

function withInvokeUrl(
  api: AdminApi,
  description: FunctionDescription,
): FunctionDescription & { invokeUrlTemplate?: string } {
  const route = api.routes.find((r) => r.fn.name === description.name);
  return route ? { ...description, invokeUrlTemplate: `${api.baseUrl()}/${route.template}` } : description;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status;
  if (value === undefined) {
    res.setHeader('content-length', 0);
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(value));
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', body.length);
  res.end(body);
}
