import type { UserPair } from '../../store/types';
import { BATCH_SIZE, type MailboxAnswer, type MailboxTarget, type ProbeMailboxBatch } from './mailbox-batch';
import { listSome, plural, skippedResult, type PreflightResult } from './types';

const ID = 'exchange-mailbox';
const TITLE = 'Exchange Online mailboxes';
/** Batches in flight at once: 80 mailboxes, each asked once, far below Graph's per-app limits. */
export const BATCHES_IN_FLIGHT = 4;
/** How long the check may take unless the caller says otherwise (a page answers sooner; the CLI allows more). */
export const DEFAULT_MAILBOX_CHECK_MS = 60_000;

type Pair = Pick<UserPair, 'entraId' | 'email' | 'status' | 'enabledKinds'>;

/** Every active pair syncing calendar or mail, asked for its calendar if it syncs one, else for its Inbox. */
export function mailboxTargets(pairs: readonly Pair[]): Array<MailboxTarget & { email: string }> {
  return pairs
    .filter((p) => p.status === 'active')
    .filter((p) => p.enabledKinds.some((k) => k === 'calendar' || k === 'mail' || k === 'sentmail'))
    .map((p) => ({
      entraId: p.entraId,
      email: p.email,
      resource: p.enabledKinds.includes('calendar') ? ('calendar' as const) : ('inbox' as const),
    }));
}

/**
 * Whether each paired user syncing calendar or mail has an Exchange Online mailbox, which the Outlook side needs:
 * every such active pair, 20 to a Graph batch, four batches at a time, until all are asked or the time is up; the
 * answer says how many were checked of how many.
 */
export async function checkExchangeMailboxes(deps: {
  pairs: readonly Pair[];
  /** Undefined when no Graph is reachable from here. */
  probeBatch?: ProbeMailboxBatch;
  deadlineMs?: number;
  now?: () => number;
}): Promise<PreflightResult> {
  if (!deps.probeBatch) {
    return skippedResult(ID, TITLE, 'no Graph connection configured');
  }
  const targets = mailboxTargets(deps.pairs);
  if (targets.length === 0) {
    return {
      id: ID,
      ok: 'warn',
      title: TITLE,
      detail: 'no active pairs syncing calendar or mail yet to check',
      fix: 'pairing runs daily and after DingTalk reports a directory change; run preflight again after it',
    };
  }
  const now = deps.now ?? Date.now;
  const stopAt = now() + (deps.deadlineMs ?? DEFAULT_MAILBOX_CHECK_MS);
  const chunks: Array<typeof targets> = [];
  for (let i = 0; i < targets.length; i += BATCH_SIZE) chunks.push(targets.slice(i, i + BATCH_SIZE));
  const answered: Array<{ email: string; answer: MailboxAnswer }> = [];
  let next = 0;
  const worker = async () => {
    while (next < chunks.length && now() < stopAt) {
      const chunk = chunks[next++];
      const answers = await deps.probeBatch!(chunk);
      chunk.forEach((t, i) => answered.push({ email: t.email, answer: answers[i] }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, chunks.length) }, worker));

  const without = answered
    .filter((a) => a.answer.state === 'no-mailbox')
    .map((a) => a.email)
    .sort();
  const unknown = answered.filter((a) => a.answer.state === 'unknown');
  const checked = answered.length - unknown.length;
  const read = answered.filter((a) => a.answer.state === 'mailbox').length;
  const capped = answered.length < targets.length;
  const scope =
    `checked ${checked} of ${plural(targets.length, 'active pair')} syncing calendar or mail` +
    (capped
      ? ` (the ${Math.round((deps.deadlineMs ?? DEFAULT_MAILBOX_CHECK_MS) / 1000)} s time cap was reached)`
      : '');
  const unknownNote =
    unknown.length > 0
      ? `; ${unknown.length} could not be checked (${(unknown[0].answer as { reason: string }).reason}): ` +
        listSome(unknown.map((u) => u.email).sort())
      : '';
  if (without.length > 0) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail:
        `${scope}: ${without.length} ${without.length === 1 ? 'has' : 'have'} no Exchange Online mailbox ` +
        `(404 MailboxNotEnabledForRESTAPI): ${listSome(without)}${unknownNote}`,
      answered: read,
      fix:
        'assign each an Exchange Online licence (or move the mailbox to Exchange Online; a mailbox reached only by ' +
        'POP3/IMAP or hosted on premises cannot be synced); until then their Outlook side is not synced',
    };
  }
  if (unknown.length > 0 || capped) {
    return {
      id: ID,
      ok: 'warn',
      title: TITLE,
      detail: `${scope}: none without a mailbox so far${unknownNote}`,
      answered: read,
      fix: capped
        ? 'run npm run preflight for the whole check (it allows more time)'
        : 'run preflight again; a 403 means the Graph permissions check above, or an Exchange application access policy that leaves these mailboxes out',
    };
  }
  return {
    id: ID,
    ok: true,
    title: TITLE,
    detail: `${scope}: every one has an Exchange Online mailbox`,
    answered: read,
    fix: '',
  };
}
