/**
 * Fault injection for the fake mail server: the ways a real IMAP session goes wrong. A rule matches by the
 * command's name (`FETCH` matches FETCH and UID FETCH; `UID FETCH` only the latter) and by the logged-in mailbox
 * (for LOGIN: the name being logged in), applies to the next `times` matching commands, then expires. The first
 * matching rule wins.
 *
 * - `drop-mid-fetch`: the connection is cut half way through the first response line of the command (default
 *   command FETCH), inside the literal when the response carries a body.
 * - `bye`: the server answers `* BYE` and closes the connection instead of running the command.
 * - `slow`: the command runs after `delayMs` (default 1000).
 * - `login-refused`: LOGIN answers NO even with the right password, as a security policy or throttle would.
 * - `bad`: the command answers `BAD invalid command or parameters`, the real server's refusal.
 */

export type MailFaultKind = 'drop-mid-fetch' | 'bye' | 'slow' | 'login-refused' | 'bad';

export interface MailFaultSpec {
  kind: MailFaultKind;
  email?: string;
  command?: string;
  /** Matching commands it affects (default 1; Infinity for all). */
  times?: number;
  delayMs?: number;
}

export interface MailFaultRule extends MailFaultSpec {
  remaining: number;
  hits: number;
}

const DEFAULT_COMMAND: Partial<Record<MailFaultKind, string>> = {
  'drop-mid-fetch': 'FETCH',
  'login-refused': 'LOGIN',
};

export class MailFaults {
  private rules: MailFaultRule[] = [];

  inject(spec: MailFaultSpec): MailFaultRule {
    const rule: MailFaultRule = {
      ...spec,
      command: spec.command ?? DEFAULT_COMMAND[spec.kind],
      remaining: spec.times ?? 1,
      hits: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  clear(): void {
    this.rules = [];
  }

  list(): MailFaultRule[] {
    return [...this.rules];
  }

  /** The rule for this command (full name such as `UID FETCH`), consumed once. */
  take(command: string, email: string | undefined): MailFaultRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r, command, email));
    if (!rule) return undefined;
    rule.remaining--;
    rule.hits++;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }
}

function matches(rule: MailFaultRule, command: string, email: string | undefined): boolean {
  if (rule.email && rule.email.toLowerCase() !== email?.toLowerCase()) return false;
  if (!rule.command) return true;
  const wanted = rule.command.toUpperCase();
  return wanted === command || `UID ${wanted}` === command;
}
