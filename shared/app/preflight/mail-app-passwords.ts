import type { Config } from '../../platform/config';
import type { UserPair } from '../../store/types';
import type { AppPasswordVault } from '../mail/app-password-vault';
import { normalizeMailbox } from '../mail/mailbox-address';
import { listSome, plural, reasonOf, type PreflightResult } from './types';

const ID = 'mail-app-passwords';
const TITLE = 'Mail app passwords';
const MAIL_KINDS = ['mail', 'sentmail'] as const;

/** Active pairs syncing mail (MAIL or MAIL_SENT) whose mailbox has no enabled app password in Key Vault. */
export async function checkMailAppPasswords(deps: {
  kinds: Config['kinds'];
  keyVaultUrl?: string;
  pairs: readonly Pick<UserPair, 'email' | 'status' | 'enabledKinds'>[];
  vault?: Pick<AppPasswordVault, 'list'>;
}): Promise<PreflightResult> {
  const mailKinds = MAIL_KINDS.filter((k) => deps.kinds.includes(k));
  if (mailKinds.length === 0) {
    return {
      id: ID,
      ok: true,
      skipped: true,
      title: TITLE,
      detail: 'mail is not enabled',
      fix: '',
    };
  }
  if (!deps.keyVaultUrl || !deps.vault) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail:
        'mail is enabled but KEY_VAULT_URL is not set: the app reads each mailbox app password from Key Vault',
      fix: 'set KEY_VAULT_URL to the vault holding the app passwords (docs/mail-app-passwords.md)',
    };
  }
  const mailboxes = [
    ...new Set(
      deps.pairs
        .filter((p) => p.status === 'active' && p.enabledKinds.some((k) => mailKinds.includes(k as never)))
        .map((p) => normalizeMailbox(p.email)),
    ),
  ].sort();
  const stored = new Set<string>();
  try {
    for await (const item of deps.vault.list()) {
      if (item.mailbox && item.enabled) stored.add(normalizeMailbox(item.mailbox));
    }
  } catch (err) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `the app passwords in ${deps.keyVaultUrl} could not be listed: ${reasonOf(err)}`,
      fix: 'see the Key Vault check above',
    };
  }
  const missing = mailboxes.filter((m) => !stored.has(m));
  if (missing.length > 0) {
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail:
        `${plural(missing.length, 'mailbox', 'mailboxes')} of ${mailboxes.length} syncing mail ` +
        `${missing.length === 1 ? 'has' : 'have'} no app password: ${listSome(missing)}`,
      fix:
        'create an IMAP app password for each in DingTalk mail and store them with ' +
        'npm run mail:app-passwords -- --csv <file> (docs/mail-app-passwords.md); their mail is not synced until then',
    };
  }
  return {
    id: ID,
    ok: true,
    title: TITLE,
    detail: `all ${plural(mailboxes.length, 'mailbox', 'mailboxes')} syncing mail have an app password`,
    fix: '',
  };
}
