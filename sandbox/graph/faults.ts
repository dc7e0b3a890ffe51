/**
 * Fault injection for the fake: answers or delays chosen requests the way a stressed Graph does. A rule matches
 * by method and path (a RegExp, or a string that must appear in the path), applies to the next `count` matching
 * requests (all of them when count is absent), and then expires. The first matching rule wins.
 */

export interface FaultSpec {
  method?: string;
  path?: RegExp | string;
  count?: number;
  /** Answer with this status instead of handling the request (429, 500, 503, 504, ...). */
  status?: number;
  /** Retry-After header (seconds) on the error answer. */
  retryAfterSeconds?: number;
  /** Graph error code on the error answer; a sensible one per status when absent. */
  code?: string;
  message?: string;
  /** Wait this long before answering (or before handling the request normally when no status is set). */
  latencyMs?: number;
  /** Never answer; the request times out on the client side. */
  hang?: boolean;
}

export interface FaultRule extends FaultSpec {
  id: number;
  remaining: number;
  hits: number;
}

const DEFAULT_CODES: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Please retry again later.'],
  500: ['generalException', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'Service is temporarily unavailable. Please try again later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
};

export function errorFor(rule: FaultSpec): { code: string; message: string } {
  const [code, message] = DEFAULT_CODES[rule.status ?? 503] ?? ['UnknownError', 'An error occurred.'];
  return { code: rule.code ?? code, message: rule.message ?? message };
}

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(spec: FaultSpec): FaultRule {
    const rule: FaultRule = { ...spec, id: this.nextId++, remaining: spec.count ?? Infinity, hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return [...this.rules];
  }

  /** The rule that applies to this request, consumed by one use. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r, method, path));
    if (!rule) return undefined;
    rule.remaining--;
    rule.hits++;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string' ? path.includes(rule.path) : rule.path.test(path);
}

/** Outlook's per-mailbox concurrency: at most `limit` requests in flight per app and mailbox. */
export class MailboxConcurrency {
  private readonly active = new Map<string, number>();
  readonly maxSeen = new Map<string, number>();
  rejected = 0;

  constructor(public limit: number) {}

  tryEnter(mailbox: string): boolean {
    const current = this.active.get(mailbox) ?? 0;
    if (current >= this.limit) {
      this.rejected++;
      return false;
    }
    this.active.set(mailbox, current + 1);
    this.maxSeen.set(mailbox, Math.max(this.maxSeen.get(mailbox) ?? 0, current + 1));
    return true;
  }

  leave(mailbox: string): void {
    const current = (this.active.get(mailbox) ?? 1) - 1;
    if (current <= 0) this.active.delete(mailbox);
    else this.active.set(mailbox, current);
  }

  inFlight(mailbox: string): number {
    return this.active.get(mailbox) ?? 0;
  }
}
