/**
 * How fast the colleagues folder is written, and what that means for a first fill.
 *
 * Outlook allows an app 10,000 requests per mailbox in any 10 minutes and 4 at a time ("Outlook service limits",
 * Microsoft Graph throttling limits). That allowance is shared with everything else this app does in the mailbox
 * (calendar, mail, to-do and external-contact sync), so the colleagues folder takes at most a tenth of it: 100
 * requests (listing pages and writes alike) per mailbox per run, and folders are written at most once a minute,
 * which is about 1,000 requests per mailbox per 10 minutes. A mailbox that needs more is finished by the next runs.
 */

/** Graph requests one run may spend on one mailbox: listing pages, creates, updates and deletes. */
export const CALLS_PER_MAILBOX_PER_RUN = 100;
/**
 * Least time between two runs that write. The timer fires every minute by default; a run a little early (timer
 * jitter) still counts as the next minute's, while a TIMER_SCHEDULE of seconds cannot raise the pace.
 */
export const MIN_RUN_GAP_MS = 55_000;
/** Mailboxes one run serves, so a run stays well under a minute (about 30 s at 300 ms per Graph write). */
export const MAILBOXES_PER_RUN = 40;
/** Mailboxes served side by side; each has its own 4 requests in flight (Outlook's per-mailbox concurrency). */
export const MAILBOX_CONCURRENCY = 10;
export const WRITES_IN_FLIGHT_PER_MAILBOX = 4;
/** Contacts per listing page of the folder. */
export const LIST_PAGE_SIZE = 100;
/** Directory callbacks one run reads back from DingTalk (unmetered, 20 per second). */
export const DIRECTORY_CHANGES_PER_RUN = 200;
/** Every folder is also checked once a day, at its own minute (its sweep slot), to undo the person's edits. */
export const FOLDER_CHECK_PERIOD_MS = 24 * 3_600_000;

export interface FirstFillEstimate {
  /** Graph requests one mailbox's first fill costs (writes plus the listing each run starts with). */
  callsPerMailbox: number;
  /** Runs, about minutes, one mailbox takes. */
  runsPerMailbox: number;
  /** Minutes until every mailbox is filled, MAILBOXES_PER_RUN mailboxes a minute. */
  organisationMinutes: number;
}

/**
 * A first fill at this pace, run by run: each run lists what the folder holds (a page per 100, at least one) and
 * spends the rest of its budget on creates.
 */
export function firstFillEstimate(users: number, colleaguesPerUser: number): FirstFillEstimate {
  let held = 0;
  let calls = 0;
  let runs = 0;
  while (runs === 0 || held < colleaguesPerUser) {
    const pages = Math.max(1, Math.ceil(held / LIST_PAGE_SIZE));
    const writes = Math.min(CALLS_PER_MAILBOX_PER_RUN - pages, colleaguesPerUser - held);
    held += writes;
    calls += pages + writes;
    runs++;
  }
  return {
    callsPerMailbox: calls,
    runsPerMailbox: runs,
    organisationMinutes: Math.ceil((users * runs) / MAILBOXES_PER_RUN),
  };
}
