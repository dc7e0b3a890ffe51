import type { SecretClient } from '@azure/keyvault-secrets';
import { keyVaultSecretsSdk } from '../../platform/lazy-sdks';
import { registerSecret } from '../../platform/logger';
import { managedIdentityCredential } from '../../platform/managed-identity';
import type { KeyVaultAccess } from '../../platform/secrets';
import { APP_PASSWORD_SECRET_PREFIX, appPasswordSecretName, mailboxOfSecretName } from './app-password-names';
import { normalizeMailbox } from './mailbox-address';

/**
 * The per-mailbox app passwords in Key Vault, one secret per mailbox (names: app-password-names.ts). Reads need the
 * version as well as the value, which SecretProvider does not return, so this talks to SecretClient itself; like
 * SecretProvider it registers every value it sees with the logger, so no log line can carry one.
 */

export interface StoredAppPassword {
  password: string;
  /** Key Vault's version id of the secret: it changes whenever a new value is written. */
  version: string;
}

export interface AppPasswordListing {
  secretName: string;
  /** From the "mailbox" tag, else decoded from the name; undefined when neither tells. */
  mailbox?: string;
  enabled: boolean;
  updatedOn?: Date;
}

export interface AppPasswordVault {
  /** One GET. Undefined when there is no secret, or it is disabled (the admin switched it off). */
  read(address: string): Promise<StoredAppPassword | undefined>;
  /** One PUT: a new version. */
  write(address: string, password: string): Promise<{ version: string }>;
  /** The app-password secrets, names and tags only (never a value): one GET per page of 25. */
  list(): AsyncIterable<AppPasswordListing>;
}

/** Tags written with every app password, so a listing can say whose it is without reading values. */
export const MAILBOX_TAG = 'mailbox';
const PURPOSE_TAG = 'purpose';
const PURPOSE = 'imap-app-password';

export function createAppPasswordVault(keyVault: SecretClient | KeyVaultAccess): AppPasswordVault {
  const { SecretClient } = keyVaultSecretsSdk();
  const client =
    keyVault instanceof SecretClient
      ? keyVault
      : new SecretClient(keyVault.url, keyVault.credential, keyVault.options);
  return new KeyVaultAppPasswordVault(client);
}

class KeyVaultAppPasswordVault implements AppPasswordVault {
  constructor(private readonly client: SecretClient) {}

  async read(address: string): Promise<StoredAppPassword | undefined> {
    try {
      const secret = await this.client.getSecret(appPasswordSecretName(address));
      registerSecret(secret.value);
      if (!secret.value || !secret.properties.version || secret.properties.enabled === false)
        return undefined;
      return { password: secret.value, version: secret.properties.version };
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // 403 here is a disabled secret (the caller may read): for the sync it is the same as none.
      if (status === 404 || (status === 403 && isDisabled(err))) return undefined;
      throw err;
    }
  }

  async write(address: string, password: string): Promise<{ version: string }> {
    registerSecret(password);
    const saved = await this.client.setSecret(appPasswordSecretName(address), password, {
      contentType: 'text/plain',
      tags: { [MAILBOX_TAG]: normalizeMailbox(address), [PURPOSE_TAG]: PURPOSE },
    });
    return { version: saved.properties.version ?? '' };
  }

  async *list(): AsyncIterable<AppPasswordListing> {
    for await (const p of this.client.listPropertiesOfSecrets()) {
      if (!p.name.toLowerCase().startsWith(APP_PASSWORD_SECRET_PREFIX)) continue;
      yield {
        secretName: p.name,
        mailbox: p.tags?.[MAILBOX_TAG] ?? mailboxOfSecretName(p.name),
        enabled: p.enabled !== false,
        updatedOn: p.updatedOn,
      };
    }
  }
}

function isDisabled(err: unknown): boolean {
  const text = JSON.stringify((err as { details?: unknown }).details ?? '') + String((err as Error).message);
  return /disabled/i.test(text);
}

/** The fake Key Vault's token (sandbox/keyvault); only ever sent to a plain-http vault on this machine. */
const SANDBOX_KEY_VAULT_TOKEN = 'sandbox-key-vault-token';
const LOOPBACK_HTTP = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

/**
 * How the app and the admin's command reach the vault at `url`: Azure's with the managed identity (or the admin's
 * own sign-in, which the same credential chain finds locally); the sandbox's plain-http fake with its fixed token.
 * Throws a plain message for a URL that fits neither.
 */
export function appPasswordVaultAccess(
  url: string,
  mode: 'sandbox' | 'live',
  managedIdentityClientId: string | undefined,
): KeyVaultAccess {
  if (LOOPBACK_HTTP.test(url)) {
    if (mode !== 'sandbox')
      throw new Error(`${url} is a plain-http vault on this machine, which only the sandbox has`);
    return {
      url,
      credential: {
        getToken: async () => ({ token: SANDBOX_KEY_VAULT_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }),
      },
      options: {
        allowInsecureConnection: true,
        disableChallengeResourceVerification: true,
        retryOptions: { maxRetries: 0 },
      },
    };
  }
  if (!url.startsWith('https://')) throw new Error('the vault URL must start with https://');
  return { url, credential: managedIdentityCredential(managedIdentityClientId) };
}
