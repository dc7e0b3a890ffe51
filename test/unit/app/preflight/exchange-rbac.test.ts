import { reconcileExchangeRbac } from '../../../../shared/app/preflight/exchange-rbac';
import { preflightPassed } from '../../../../shared/app/preflight';
import type { PreflightResult } from '../../../../shared/app/preflight/types';

const permissions = (missing: string[]): PreflightResult => ({
  id: 'graph-permissions',
  ok: missing.length === 0 ? true : false,
  title: 'Microsoft Graph application permissions',
  detail: missing.length === 0 ? 'granted' : `not granted: ${missing.join(', ')}`,
  fix: missing.length === 0 ? '' : 'grant admin consent',
  ...(missing.length > 0 ? { missing } : {}),
});
const mailboxes = (answered: number, ok: PreflightResult['ok'] = true): PreflightResult => ({
  id: 'exchange-mailbox',
  ok,
  title: 'Exchange Online mailboxes',
  detail: `checked ${answered}`,
  fix: '',
  answered,
});
const storage: PreflightResult = { id: 'storage', ok: true, title: 'Storage', detail: 'read', fix: '' };

describe('Exchange RBAC for Applications in the preflight', () => {
  test('mailbox permissions missing from the token while mailboxes answer: needs attention, not a failure', () => {
    const results = [storage, permissions(['Mail.ReadWrite', 'Calendars.ReadWrite']), mailboxes(12)];
    const reconciled = reconcileExchangeRbac(results);
    const check = reconciled.find((r) => r.id === 'graph-permissions')!;
    expect(check.ok).toBe('warn');
    expect(check.detail).toBe(
      "not granted in Entra: Mail.ReadWrite, Calendars.ReadWrite; yet 12 mailboxes answered the app's reads, so " +
        'Exchange Online most likely grants them per mailbox (RBAC for Applications)',
    );
    expect(check.fix).toMatch(/^confirm for a synced mailbox: Test-ServicePrincipalAuthorization/);
    expect(preflightPassed(reconciled)).toBe(true);
    expect(reconciled[0]).toBe(storage);
    expect(reconciled[2]).toBe(results[2]);
  });

  test('a permission Exchange cannot grant still fails, whatever the mailboxes answer', () => {
    for (const missing of [['User.Read.All'], ['Tasks.ReadWrite.All', 'Mail.ReadWrite']]) {
      const results = [permissions(missing), mailboxes(5)];
      expect(reconcileExchangeRbac(results)).toBe(results);
      expect(preflightPassed(reconcileExchangeRbac(results))).toBe(false);
    }
  });

  test('no mailbox read succeeded: the failure stands, and the consent fix with it', () => {
    for (const mailboxCheck of [mailboxes(0, 'warn'), mailboxes(0, false), undefined]) {
      const results = [permissions(['Mail.ReadWrite']), ...(mailboxCheck ? [mailboxCheck] : [])];
      const check = reconcileExchangeRbac(results).find((r) => r.id === 'graph-permissions')!;
      expect(check.ok).toBe(false);
      expect(check.fix).toBe('grant admin consent');
    }
  });

  test('everything granted: nothing changes', () => {
    const results = [permissions([]), mailboxes(3)];
    expect(reconcileExchangeRbac(results)).toBe(results);
  });
});
