/**
 * One preflight check's answer, in words for the admin: what was checked, what was found, and what to do about it.
 * `ok` is "warn" for something that works now but needs attention; `skipped` marks a check that could not be made
 * here (it neither passes nor fails the preflight).
 */
export interface PreflightResult {
  id: string;
  ok: boolean | 'warn';
  title: string;
  detail: string;
  /** Empty when there is nothing to fix. */
  fix: string;
  skipped?: boolean;
  /** Graph permissions check: the permissions the token's roles lack. */
  missing?: string[];
  /** Exchange Online check: mailboxes whose data the app read (each a read the mailbox permissions allow). */
  answered?: number;
}

/** A check that could not be made here: it neither passes nor fails the preflight. */
export function skippedResult(id: string, title: string, detail: string): PreflightResult {
  return { id, ok: true, skipped: true, title, detail, fix: '' };
}

/** How many addresses a check names before it says "and N more". */
export const NAMED_AT_MOST = 5;

export function listSome(items: readonly string[], max = NAMED_AT_MOST): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The first line of an error's message: enough to tell the cause, without stacks or trace ids. */
export function reasonOf(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
