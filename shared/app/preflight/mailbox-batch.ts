import type { GraphApi } from '../../connectors/graph/http-client';
import { reasonOf } from './types';

/**
 * Whether users have an Exchange Online mailbox, asked of Graph twenty at a time with JSON batching
 * (`POST /$batch`, at most 20 requests; reference graph.md §6.3). Each user is asked for a mailbox resource the
 * app may already read: one event id of the calendar (Calendars.ReadWrite) or the Inbox's id (Mail.ReadWrite).
 * GET …/mailboxSettings would need MailboxSettings.Read, a permission the sync itself does not need. A user without
 * an Exchange Online mailbox (no licence, a mailbox on premises, inactive, or reachable by POP3/IMAP only) is
 * answered 404 MailboxNotEnabledForRESTAPI ("The mailbox is either inactive, soft-deleted, or is hosted
 * on-premise", graph.md §2). A batch answers 200 whatever its items say, and items Graph throttled are not retried
 * by anyone but us: they are sent again after the longest Retry-After, a few times.
 */

export const BATCH_SIZE = 20;

export interface MailboxTarget {
  entraId: string;
  resource: 'calendar' | 'inbox';
}

export type MailboxAnswer =
  { state: 'mailbox' } | { state: 'no-mailbox'; code: string } | { state: 'unknown'; reason: string };

export type ProbeMailboxBatch = (targets: readonly MailboxTarget[]) => Promise<MailboxAnswer[]>;

interface BatchResponse {
  responses?: Array<{
    id: string;
    status: number;
    headers?: Record<string, string>;
    body?: { error?: { code?: string; message?: string } };
  }>;
}

const RETRIED = new Set([429, 503, 504]);
const ROUNDS = 3;
const MAX_WAIT_MS = 10_000;
/** 404s that name the user, not the mailbox: the pair points at an account that is gone. */
const USER_GONE = new Set(['ErrorInvalidUser', 'Request_ResourceNotFound']);

export function itemUrl(target: MailboxTarget): string {
  const user = `/users/${encodeURIComponent(target.entraId)}`;
  return target.resource === 'calendar'
    ? `${user}/events?$top=1&$select=id`
    : `${user}/mailFolders/inbox?$select=id`;
}

export function graphMailboxBatchProbe(
  api: Pick<GraphApi, 'post'>,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): ProbeMailboxBatch {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (targets) => {
    if (targets.length > BATCH_SIZE) throw new Error(`at most ${BATCH_SIZE} mailboxes per batch`);
    const answers: MailboxAnswer[] = targets.map(() => ({ state: 'unknown', reason: 'not asked' }));
    let pending = targets.map((_, i) => i);
    for (let round = 1; pending.length > 0; round++) {
      let reply: BatchResponse;
      try {
        reply = await api.post<BatchResponse>(
          '/$batch',
          { requests: pending.map((i) => ({ id: String(i), method: 'GET', url: itemUrl(targets[i]) })) },
          { what: 'check mailboxes ($batch)' },
        );
      } catch (err) {
        for (const i of pending) answers[i] = { state: 'unknown', reason: reasonOf(err) };
        return answers;
      }
      const again: number[] = [];
      let waitMs = 0;
      for (const item of reply.responses ?? []) {
        const i = Number(item.id);
        if (!pending.includes(i)) continue;
        const code = item.body?.error?.code ?? '';
        if (item.status >= 200 && item.status < 300) answers[i] = { state: 'mailbox' };
        else if (item.status === 404 && !USER_GONE.has(code)) {
          answers[i] = { state: 'no-mailbox', code: code || 'NotFound' };
        } else if (RETRIED.has(item.status) && round < ROUNDS) {
          again.push(i);
          waitMs = Math.max(waitMs, retryAfterMs(item.headers));
        } else {
          answers[i] = {
            state: 'unknown',
            reason:
              `${item.status} ${code}${item.body?.error?.message ? `: ${item.body.error.message}` : ''}`.trim(),
          };
        }
      }
      if (again.length > 0) await sleep(Math.min(waitMs, MAX_WAIT_MS));
      pending = again;
    }
    return answers;
  };
}

function retryAfterMs(headers: Record<string, string> | undefined): number {
  const value = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}
