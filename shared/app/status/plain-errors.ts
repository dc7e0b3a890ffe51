/**
 * A stored error (a failures row's lastError, a state row's error, an audit reason) in words an admin can act on.
 * The stored text is already free of secrets (the failures table masks them); it is shown below the plain words,
 * escaped, for whoever needs the detail.
 */
const RULES: Array<[RegExp, string]> = [
  [
    /bulk-delete breaker/i,
    'Stopped by the bulk-delete breaker: one pull would have deleted a large share of the folder, so nothing was ' +
      'written. Read what it stopped below, then release it if the deletions are wanted.',
  ],
  [
    /\b429\b|throttl|TooManyRequests|ETHROTTLE/i,
    'The service asked the app to slow down (throttling). The app retries by itself with growing pauses.',
  ],
  [
    /monthly budget|quota|90020/i,
    "DingTalk's monthly call quota for this work is spent; background work resumes when the month turns (China time).",
  ],
  [
    /app password|AUTHENTICATIONFAILED|authentication failed|LOGIN failed/i,
    "The DingTalk mail server refused the mailbox's app password: load a new one (docs/mail-app-passwords.md).",
  ],
  [
    /\b(401|403)\b|Authorization_RequestDenied|ErrorAccessDenied|access denied|forbidden|Unauthorized/i,
    'Access refused: check that admin consent was granted for every permission the kinds need, and run the ' +
      'preflight.',
  ],
  [
    /MailboxNotEnabledForRESTAPI|no mailbox/i,
    'The user has no Exchange Online mailbox (or only POP3): give them one or take them out of the sync.',
  ],
  [/\b404\b|not found/i, 'A folder or item the app expected is gone; the next pull lists the folder again.'],
  [
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|timed? ?out|socket hang up|\b50[0234]\b/i,
    'The service could not be reached or answered with a server error. The app retries by itself.',
  ],
  [
    /cursor expired|syncStateNotFound|resync/i,
    'The change cursor expired; the folder is listed again in full.',
  ],
];

export function plainWords(error: string | undefined): string {
  if (!error) return '';
  for (const [pattern, words] of RULES) if (pattern.test(error)) return words;
  return 'The last pull failed; the technical detail follows.';
}

export function isThrottling(text: string | undefined): boolean {
  return !!text && /\b429\b|throttl|TooManyRequests/i.test(text);
}
