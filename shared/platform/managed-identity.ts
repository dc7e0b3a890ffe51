import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { identitySdk } from './lazy-sdks';

/**
 * The app's managed identity (DefaultAzureCredential), built when the first token is asked for: building the app
 * context does not load @azure/identity, and a process that never reaches Key Vault or storage by identity never does.
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
