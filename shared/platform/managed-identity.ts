import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { identitySdk } from './lazy-sdks';

/**
 * The app's managed identity (DefaultAzureCredential), built when the first token is asked for: a context that
 * holds it but only ever talks to Azurite, or never reaches Key Vault, does not load @azure/identity.
 */
export function managedIdentityCredential(managedIdentityClientId: string | undefined): TokenCredential {
  let credential: TokenCredential | undefined;
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= new (identitySdk().DefaultAzureCredential)({ managedIdentityClientId });
      return credential.getToken(scopes, options);
    },
  };
}
