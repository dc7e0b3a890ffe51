import type { AppContext } from '../context';
import { MAILBOX_CHECK_MS, preflightDepsFor, runPreflight, type PreflightResult } from '../preflight';
import { reasonOf } from '../preflight/types';

/** What the consent page shows under "Consent granted": the preflight's results, or why it could not run. */
export type ConsentPreflight = { results: PreflightResult[] } | { error: string };

/**
 * The preflight, run right after Microsoft reports consent, with the page's time allowance for the mailbox check.
 * The log gets the counts only: the details name people and addresses.
 */
export async function preflightAfterConsent(
  app: Pick<AppContext, 'config' | 'stores' | 'log' | 'clock'>,
  invocationId: string,
): Promise<ConsentPreflight> {
  try {
    const results = await runPreflight(preflightDepsFor(app, { mailboxCheckMs: MAILBOX_CHECK_MS.page }));
    app.log.info('preflight after consent', {
      invocationId,
      passed: results.filter((r) => r.ok === true && !r.skipped).length,
      warnings: results.filter((r) => r.ok === 'warn').length,
      failed: results.filter((r) => r.ok === false).map((r) => r.id),
    });
    return { results };
  } catch (err) {
    app.log.warn('preflight after consent could not run', { invocationId, reason: reasonOf(err) });
    return { error: reasonOf(err) };
  }
}
