import type { FakeKeyVault } from '../../sandbox/keyvault/fake-key-vault';
import type { FakeMailServer } from '../../sandbox/mail';
import { appPasswordVaultAccess, createAppPasswordVault } from '../../shared/app/mail/app-password-vault';
import type { DemoPerson } from './demo-org';

/**
 * Each demo colleague's DingTalk mailbox on the sandbox mail server, with an app password stored in the sandbox
 * Key Vault the way `npm run mail:app-passwords` stores real ones. The passwords are fixed and printed: they open
 * nothing but this sandbox, and a mail program can log in with them to watch the demo.
 */
export async function seedDemoMailboxes(
  mail: FakeMailServer,
  vault: FakeKeyVault,
  people: DemoPerson[],
): Promise<Array<{ email: string; password: string }>> {
  const secrets = createAppPasswordVault(appPasswordVaultAccess(vault.url, 'sandbox', undefined));
  const logins = people.map((p) => ({ email: p.email, password: `sandbox-${p.email.split('@')[0]}` }));
  for (const login of logins) {
    mail.control.addMailbox(login.email, login.password);
    await secrets.write(login.email, login.password);
  }
  return logins;
}
