import { createMailSides } from '../../../../shared/app/mail/mail-sides';
import { ManualClock } from '../../../../shared/platform/clock';
import type { Config } from '../../../../shared/platform/config';
import { createLogger } from '../../../../shared/platform/logger';
import type { UserRef } from '../../../../shared/sync/types';

/**
 * The worker reaches the IMAP adapter only through the mail sides' login-reporting wrapper, so every optional
 * method the engine or the worker relies on must pass through it, or the behaviour it carries is silently lost.
 */
test('the mail sides pass findRenumbered and cursorWithOwnView through to the IMAP adapter, for both folders', async () => {
  const config = {
    mode: 'sandbox',
    keyVaultUrl: 'https://vault.example.net',
    storage: {},
    mail: { imapHost: '127.0.0.1', imapPort: 1, lookBackDays: 30, pollIntervalMs: 60_000 },
  } as unknown as Config;
  const sides = createMailSides({
    config,
    stores: { audit: {}, mailCredentials: {} } as never,
    clock: new ManualClock(Date.parse('2026-12-07T00:00:00Z')),
    log: createLogger({ sink: () => undefined }),
  });
  try {
    const user = { pairId: 'p1', email: 'li.wei@contoso.example' } as UserRef;
    for (const side of [sides.dingtalk, sides.dingtalkSent]) {
      expect(typeof side.findRenumbered).toBe('function');
      // Nothing written or read yet: the adapter hands the cursor back as it is, without a server call.
      expect(side.cursorWithOwnView?.(user, 'INBOX', 'not a mail cursor')).toBe('not a mail cursor');
    }
  } finally {
    await sides.close();
  }
});
