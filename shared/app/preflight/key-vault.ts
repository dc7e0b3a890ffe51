import type { AppPasswordVault } from '../mail/app-password-vault';
import { reasonOf, type PreflightResult } from './types';

const ID = 'key-vault';
const TITLE = 'Key Vault reachable';

/** Lists secret names (never values), stopping at the first: proves the vault answers and the identity may list. */
export async function checkKeyVault(deps: {
  keyVaultUrl?: string;
  vault?: Pick<AppPasswordVault, 'list'>;
}): Promise<PreflightResult> {
  if (!deps.keyVaultUrl || !deps.vault) {
    return {
      id: ID,
      ok: true,
      skipped: true,
      title: TITLE,
      detail: 'KEY_VAULT_URL is not set, so no vault is used',
      fix: '',
    };
  }
  try {
    let found = 0;
    for await (const item of deps.vault.list()) {
      void item;
      found++;
      break;
    }
    return {
      id: ID,
      ok: true,
      title: TITLE,
      detail: `${deps.keyVaultUrl} answered${found ? '' : ' (no app passwords stored yet)'}`,
      fix: '',
    };
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    return {
      id: ID,
      ok: false,
      title: TITLE,
      detail: `${deps.keyVaultUrl} could not be listed: ${status ? `${status}: ` : ''}${reasonOf(err)}`,
      fix:
        status === 401 || status === 403
          ? "give the identity running the check (the app's managed identity, or your az login account) the " +
            '"Key Vault Secrets User" role on the vault'
          : 'check KEY_VAULT_URL and that the vault allows this network (firewall / private endpoint)',
    };
  }
}
