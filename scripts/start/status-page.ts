import { SANDBOX_DEFAULTS } from '../../shared/platform/config';

/**
 * How to open the status page of the running sandbox. The built-in key is a public sandbox value and is shown; a
 * key of the admin's own (STATUS_PAGE_KEY set) is never printed.
 */
export function statusPageHint(hostUrl: string, env: Record<string, string | undefined>): string {
  const own = env.STATUS_PAGE_KEY?.trim();
  const key = own ? '<your STATUS_PAGE_KEY>' : encodeURIComponent(SANDBOX_DEFAULTS.STATUS_PAGE_KEY!);
  return `status page: ${hostUrl}/api/status?key=${key} (opens a 12-hour session; docs/status-page.md)`;
}
