import type { TokenCredential } from '@azure/identity';
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import { keyVaultSecretsSdk } from './lazy-sdks';
import type { Config } from './config';
import { registerSecret } from './logger';
import { managedIdentityCredential } from './managed-identity';

/**
 * Where secrets come from. Static secrets are app settings: in Azure they hold Key Vault references that the
 * platform resolves into the environment, so reading them needs no SDK. Secrets read at run time (per-mailbox app
 * passwords, the Graph certificate) go through the Key Vault SDK; the app only reads them, and the admin's own
 * sign-in writes them (`npm run mail:app-passwords`). Every value read or written is registered with the logger so
 * that it never appears in a log line.
 */

/** Key Vault object names; the service answers anything else with 400 BadParameter. */
const VAULT_SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(/i;

export interface KeyVaultAccess {
  url: string;
  credential: TokenCredential;
  /** Tests pass allowInsecureConnection and disableChallengeResourceVerification for the local fake. */
  options?: SecretClientOptions;
}

export interface SecretProviderOptions {
  /** App settings, i.e. the environment in Azure and local.settings.json locally. */
  settings: Record<string, string | undefined>;
  /** A ready client, or what to build one from. Without it, runtime secrets are unavailable. */
  keyVault?: SecretClient | KeyVaultAccess;
}

export class SecretProvider {
  private client: SecretClient | undefined;

  constructor(private readonly options: SecretProviderOptions) {}

  /** An app setting when there is one, else the runtime secret of that name (when a vault is configured). */
  async get(name: string): Promise<string | undefined> {
    const setting = this.getSetting(name);
    if (setting !== undefined || !this.options.keyVault || !VAULT_SECRET_NAME.test(name)) return setting;
    return this.getRuntime(name);
  }

  /** An app setting only. Refuses one whose Key Vault reference the platform could not resolve. */
  getSetting(name: string): string | undefined {
    const value = this.options.settings[name]?.trim() || undefined;
    if (value && KEY_VAULT_REFERENCE.test(value)) {
      throw new Error(
        `${name} still holds an unresolved Key Vault reference: give the app's identity the "Key Vault Secrets User" ` +
          'role and make sure the secret exists, then restart.',
      );
    }
    registerSecret(value);
    return value;
  }

  /** The current value in Key Vault, read fresh each time (another instance may have rotated it). */
  async getRuntime(name: string): Promise<string | undefined> {
    const client = this.vault(name);
    try {
      const value = (await client.getSecret(name)).value;
      registerSecret(value);
      return value;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Writes a new version of a runtime secret. */
  async set(name: string, value: string): Promise<void> {
    registerSecret(value);
    await this.vault(name).setSecret(name, value);
  }

  private vault(name: string): SecretClient {
    if (!VAULT_SECRET_NAME.test(name)) {
      throw new Error(`"${name}" is not a valid Key Vault secret name: use 1-127 letters, digits and dashes`);
    }
    const keyVault = this.options.keyVault;
    if (!keyVault) throw new Error('runtime secrets need a Key Vault: set KEY_VAULT_URL');
    if (!this.client) {
      const { SecretClient } = keyVaultSecretsSdk();
      this.client =
        keyVault instanceof SecretClient
          ? keyVault
          : new SecretClient(keyVault.url, keyVault.credential, keyVault.options);
    }
    return this.client;
  }
}

/** The provider for the app: the environment for settings, the configured vault with the managed identity. */
export function createSecretProvider(
  config: Config,
  settings: Record<string, string | undefined> = process.env,
  credential?: TokenCredential,
): SecretProvider {
  const url = config.keyVaultUrl;
  const keyVault = url
    ? {
        url,
        credential: credential ?? managedIdentityCredential(config.storage.managedIdentityClientId),
      }
    : undefined;
  return new SecretProvider({ settings, keyVault });
}
