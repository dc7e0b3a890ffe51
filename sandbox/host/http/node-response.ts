/**
 * Turns what an HTTP handler returned into the response the host writes. Mirrors the library's toRpcHttp: an
 * HttpResponse is used as is, an object becomes `new HttpResponse(result)`, anything else is an error (→ 500).
 * `undefined`/`null` gives 204: the host wraps a null result in an ASP.NET ObjectResult, which answers No Content.
 */
import type { ServerResponse } from 'node:http';
import { HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';

export function toHttpResponse(result: unknown): HttpResponse {
  if (result === undefined || result === null) return new HttpResponse({ status: 204 });
  if (result instanceof HttpResponse) return result;
  if (typeof result !== 'object') {
    throw new TypeError(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  return new HttpResponse(result as HttpResponseInit);
}

export async function writeHttpResponse(res: ServerResponse, response: HttpResponse): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  res.statusCode = response.status;
  const setCookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = [...setCookies, ...response.cookies.map(serializeCookie)];
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.setHeader('content-length', body.length);
  res.end(body);
}

export function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`domain=${cookie.domain}`);
  if (cookie.path) parts.push(`path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`max-age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('secure');
  if (cookie.sameSite) parts.push(`samesite=${cookie.sameSite.toLowerCase()}`);
  if (cookie.httpOnly) parts.push('httponly');
  return parts.join('; ');
}
