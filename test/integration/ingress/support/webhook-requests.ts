import { HttpRequest, InvocationContext } from '@azure/functions';

/** A POST as the Functions host hands it to a webhook function. */
export function post(
  url: string,
  body: string,
  query: URLSearchParams = new URLSearchParams(),
  contentType = 'application/json',
): HttpRequest {
  return new HttpRequest({
    url: `${url}?${query.toString()}`,
    method: 'POST',
    headers: { 'content-type': contentType },
    body: { string: body },
  });
}

export const invocation = (functionName = 'test'): InvocationContext =>
  new InvocationContext({ functionName, logHandler: () => undefined });
