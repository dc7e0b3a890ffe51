import type { IncomingMessage, ServerResponse } from 'node:http';
import { newGuid } from './ids';
import { sendJson } from './http-util';

/**
 * Errors exactly as Graph and the identity platform shape them: Graph's
 * {error:{code,message,innerError{date,request-id,client-request-id}}} and AADSTS token errors.
 */

export function sendGraphError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  nowMs = Date.now(),
): void {
  const requestId = newGuid();
  const clientRequestId = headerValue(req, 'client-request-id') ?? requestId;
  sendJson(
    res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': requestId,
          'client-request-id': clientRequestId,
        },
      },
    },
    { 'request-id': requestId, 'client-request-id': clientRequestId, ...headers },
  );
}

export interface AadError {
  status: number;
  error: string;
  aadsts: number;
  description: string;
}

export function sendAadError(res: ServerResponse, e: AadError, nowMs = Date.now()): void {
  const traceId = newGuid();
  const correlationId = newGuid();
  const timestamp = new Date(nowMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  sendJson(res, e.status, {
    error: e.error,
    error_description:
      `AADSTS${e.aadsts}: ${e.description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\n` +
      `Timestamp: ${timestamp}`,
    error_codes: [e.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${e.aadsts}`,
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
