import { errors, type FakeApiError } from './wire-errors';

/**
 * Injected failures, matched by path pattern (and optionally method), each for a number of requests. They act
 * before authentication, like failures of DingTalk's gateway would.
 */

export type FaultKind =
  | 'systemBusy'
  | 'serverError'
  | 'qpsLimit'
  | 'globalQpsLimit'
  | 'quotaExceeded'
  | 'invalidToken'
  | 'ipBan'
  | 'latency'
  | 'timeout';

export interface FaultSpec {
  /** RegExp, or a string that must occur in the request path (query excluded). */
  path: RegExp | string;
  method?: string;
  kind: FaultKind;
  /** How many matching requests it affects (default 1; Infinity for all). */
  times?: number;
  /** For latency: the delay before the request is handled normally. */
  latencyMs?: number;
  /** For serverError: the HTTP status (default 500). */
  status?: number;
}

export type FaultAction =
  | { act: 'error'; error: FakeApiError }
  | { act: 'raw'; status: number; body: unknown }
  | { act: 'delay'; ms: number }
  | { act: 'hang' };

interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  inject(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first live fault matching the request, consumed once. */
  take(method: string, path: string): FaultAction | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)),
    );
    if (!fault) return undefined;
    fault.remaining--;
    return actionOf(fault);
  }
}

function actionOf(f: FaultSpec): FaultAction {
  switch (f.kind) {
    case 'systemBusy':
      return { act: 'error', error: errors.systemBusy() };
    case 'qpsLimit':
      return { act: 'error', error: errors.qpsLimit() };
    case 'globalQpsLimit':
      return { act: 'error', error: errors.globalQpsLimit() };
    case 'quotaExceeded':
      return { act: 'error', error: errors.quotaExceeded() };
    case 'invalidToken':
      return { act: 'error', error: errors.invalidToken() };
    case 'serverError':
      return { act: 'raw', status: f.status ?? 500, body: 'Internal Server Error' };
    case 'ipBan':
      return { act: 'raw', status: 403, body: { status: 1111, wait: 5, source: 'x5', punish: 'deny' } };
    case 'latency':
      return { act: 'delay', ms: f.latencyMs ?? 100 };
    case 'timeout':
      return { act: 'hang' };
  }
}
