/** A scripted fetch: each call takes the next answer; every request is recorded. */

export interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export type Answer =
  | { status: number; json?: unknown; text?: string }
  | { throws: Error }
  | { hang: true }
  | ((req: Recorded) => { status: number; json?: unknown; text?: string });

export function scriptedFetch(answers: Answer[]): { fetch: typeof fetch; calls: Recorded[] } {
  const calls: Recorded[] = [];
  const queue = [...answers];
  const stub = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const req: Recorded = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: init.body as string | undefined,
    };
    calls.push(req);
    const next = queue.shift();
    if (!next) throw new Error(`unexpected request ${req.method} ${req.url}`);
    const answer = typeof next === 'function' ? next(req) : next;
    if ('throws' in answer) throw answer.throws;
    if ('hang' in answer) {
      return new Promise<Response>((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    }
    const body = answer.text ?? (answer.json === undefined ? null : JSON.stringify(answer.json));
    return new Response(answer.status === 204 ? null : body, { status: answer.status });
  };
  return { fetch: stub as typeof fetch, calls };
}

export const tokenAnswer = (token: string, expireIn = 7200): Answer => ({
  status: 200,
  json: { accessToken: token, expireIn },
});
