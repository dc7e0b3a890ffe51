import type { PreflightResult } from './types';

/**
 * The permissions Exchange Online can grant an app per mailbox scope with RBAC for Applications
 * (https://learn.microsoft.com/exchange/permissions-exo/application-rbac). Such grants are not Entra grants, so
 * they never appear in the token's `roles`: an admin who scoped the app that way (docs/deploy.md) removed these
 * from Entra on purpose.
 */
export const EXCHANGE_SCOPABLE = ['Mail.ReadWrite', 'Calendars.ReadWrite', 'Contacts.ReadWrite'] as const;

/**
 * A permissions failure that names only permissions Exchange can grant, while the mailbox check read mailboxes
 * all the same, is most likely RBAC for Applications at work: reported as needing attention (confirm it with
 * Exchange's own test), not as a failure that would send the admin to grant in Entra what they meant to scope.
 */
export function reconcileExchangeRbac(results: PreflightResult[]): PreflightResult[] {
  const permissions = results.find((r) => r.id === 'graph-permissions');
  const mailboxes = results.find((r) => r.id === 'exchange-mailbox');
  const missing = permissions?.missing ?? [];
  const scopable = new Set<string>(EXCHANGE_SCOPABLE);
  if (
    permissions?.ok !== false ||
    missing.length === 0 ||
    !missing.every((p) => scopable.has(p)) ||
    !(mailboxes?.answered && mailboxes.answered > 0)
  ) {
    return results;
  }
  const read = mailboxes.answered;
  const reconciled: PreflightResult = {
    ...permissions,
    ok: 'warn',
    detail:
      `not granted in Entra: ${missing.join(', ')}; yet ${read} ${read === 1 ? 'mailbox' : 'mailboxes'} answered the ` +
      "app's reads, so Exchange Online most likely grants them per mailbox (RBAC for Applications)",
    fix:
      'confirm for a synced mailbox: Test-ServicePrincipalAuthorization -Identity <GRAPH_CLIENT_ID> -Resource ' +
      '<mailbox> lists the roles (docs/deploy.md, "RBAC for Applications"); if Exchange is not meant to grant them, ' +
      'grant them in Entra by admin consent (<PUBLIC_BASE_URL>/api/consent)',
  };
  return results.map((r) => (r === permissions ? reconciled : r));
}
