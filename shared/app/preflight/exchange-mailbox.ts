import type { Config } from '../../platform/config';
import type { UserPair } from '../../store/types';
import { listSome, plural, reasonOf, type PreflightResult } from './types';

const ID = 'exchange-mailbox';
const TITLE = 'Exchange Online mailboxes';
/** Enough pairs to catch a licensing gap without one Graph call per person of a large tenant. */
export const MAILBOX_SAMPLE = 20;

/** What Graph said about one user's mailbox. */
export type MailboxProbe = 'mailbox' | 'no-mailbox';

/**
 * Whether the paired users have an Exchange Online mailbox, which every kind synced with Outlook needs: Graph
 * answers GET /users/{id}/mailboxSettings with 404 or MailboxNotEnabledForRESTAPI for a user without one (no
 * Exchange Online licence, or a mailbox still on premises or reachable by POP3/IMAP only).
 */
export async function checkExchangeMailboxes(deps: {
  mode: Config['mode'];
  pairs: readonly Pick<UserPair, 'entraId' | 'email' | 'status'>[];
  /** Undefined when the Graph in use cannot answer it (the sandbox's fake has no mailboxSettings). */
  probe?: (entraId: string) => Promise<MailboxProbe>;
}): Promise<PreflightResult> {
  if (!deps.probe) {
    return {
      id: ID,
      ok: true,
      skipped: true,
      title: TITLE,
      detail: `skipped in ${deps.mode} mode: this Graph does not answer mailboxSettings`,
      fix: '',
    };
  }
  const sample = deps.pairs.filter((p) => p.status === 'active').slice(0, MAILBOX_SAMPLE);
  if (sample.length === 0) {
    return { id: ID, ok: 'warn', title: TITLE, detail: 'no active pairs yet to check', fix: '' };
  }
  const without: string[] = [];
  const unknown: string[] = [];
  let firstError = '';
  for (const pair of sample) {
    try {
      if ((await deps.probe(pair.entraId)) === 'no-mailbox') without.push(pair.email);
    } catch (err) {
      unknown.push(pair.email);
      firstError ||= reasonOf(err);
    }
  }
  const checked = `of the first ${plural(sample.length, 'active pair')}`;
  if (without.length > 0) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `${without.length} ${checked} ${without.length === 1 ? 'has' : 'have'} no Exchange Online mailbox: ${listSome(without)}`,
      fix:
        'assign each an Exchange Online licence (or move the mailbox to Exchange Online); until then their ' +
        'Outlook side cannot be synced',
    };
  }
  if (unknown.length > 0) {
    return {
      id: ID,
      ok: 'warn',
      title: TITLE,
      detail: `${unknown.length} ${checked} could not be checked (${firstError}): ${listSome(unknown)}`,
      fix: 'run preflight again; if it persists, see the Graph permissions check',
    };
  }
  return {
    id: ID,
    ok: true,
    title: TITLE,
    detail: `the first ${plural(sample.length, 'active pair')} all have one`,
    fix: '',
  };
}
