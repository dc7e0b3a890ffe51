/**
 * The host's HTTP front: admin API first, then function routes. A handler that throws gives a bare 500 (no
 * details, as in Azure); the error itself goes to the host log.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { FunctionInvoker } from '../invoker';
import type { HostLog } from '../log';
import { handleAdmin, isAdminPath, type AdminApi } from './admin-api';
import { readRequestBody, RequestBodyTooLargeError, toFunctionsRequest } from './node-request';
import { toHttpResponse, writeHttpResponse } from './node-response';
import { findRoute } from './route-table';
import { pathSegmentsOf } from './route-template';

export interface HttpHostOptions {
  admin: AdminApi;
  invoker: FunctionInvoker;
  log: HostLog;
  maxRequestBodyBytes: number;
  isStopping(): boolean;
}

const HTTP_REASON = 'This function was programmatically called via the host APIs.';
const LANDING_PAGE = 'Your Functions 4.0 app is up and running (local host).';

export interface HttpHost {
  server: http.Server;
  /** Resolves once no request is being handled (responses written included). */
  idle(): Promise<void>;
}

export function createHttpServer(options: HttpHostOptions): HttpHost {
  const active = new Set<Promise<void>>();
  const server = http.createServer((req, res) => {
    const handling: Promise<void> = handle(options, req, res)
      .catch((error: unknown) => {
        options.log.error(
          `Unhandled error while serving ${req.method} ${req.url}: ${(error as Error)?.stack ?? String(error)}`,
        );
        answer(res, 500);
      })
      .finally(() => active.delete(handling));
    active.add(handling);
  });
  return {
    server,
    idle: async () => {
      while (active.size > 0) await Promise.all([...active]);
    },
  };
}

async function handle(options: HttpHostOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (options.isStopping()) {
    res.setHeader('connection', 'close');
    return answer(res, 503);
  }
  const pathname = new URL(req.url ?? '/', 'http://local').pathname;
  const segments = pathSegmentsOf(pathname);
  if (isAdminPath(segments)) {
    const body = await readBodyOrAnswer(options, req, res);
    if (body) await handleAdmin(options.admin, req, res, segments, body);
    return;
  }
  const match = findRoute(options.admin.routes, req.method ?? 'GET', segments);
  if (!match) {
    if (segments.length === 0 && req.method === 'GET') return answer(res, 200, LANDING_PAGE);
    req.resume();
    return answer(res, 404);
  }
  const body = await readBodyOrAnswer(options, req, res);
  if (!body) return;
  const request = toFunctionsRequest(req, body, match.params, hostOf(req));
  let response;
  try {
    const result = await options.invoker.invoke(match.route.fn, request, { reason: HTTP_REASON });
    response = toHttpResponse(result);
  } catch (error) {
    if (error instanceof TypeError && /HTTP response must be an object/.test(error.message)) {
      options.log.error(`Function '${match.route.fn.name}': ${error.message}`);
    }
    return answer(res, 500);
  }
  await writeHttpResponse(res, response);
}

async function readBodyOrAnswer(
  options: HttpHostOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Buffer | undefined> {
  try {
    return await readRequestBody(req, options.maxRequestBodyBytes);
  } catch (error) {
    if (error instanceof RequestBodyTooLargeError) {
      res.setHeader('connection', 'close');
      answer(res, 413);
      return undefined;
    }
    throw error;
  }
}

function hostOf(req: IncomingMessage): string {
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort}`;
}

function answer(res: ServerResponse, status: number, text?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  const body = Buffer.from(text ?? '');
  if (text !== undefined) res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('content-length', body.length);
  res.end(body);
}
