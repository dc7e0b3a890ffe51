/**
 * A binding's `connection` names an app setting; the runtime looks up NAME, then AzureWebJobsNAME. Identity-based
 * connections (NAME__queueServiceUri, NAME__serviceUri) need Entra ID and have no local equivalent.
 */
import { DEFAULT_STORAGE_CONNECTION } from '../describe';

export function resolveStorageConnectionString(
  setting: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const name = setting || DEFAULT_STORAGE_CONNECTION;
  const value = env[name] ?? env[`AzureWebJobs${name}`];
  if (value) return value;
  if (env[`${name}__queueServiceUri`] || env[`${name}__serviceUri`]) {
    throw new Error(
      `Connection '${name}' is identity-based; the local host needs a connection string (e.g. Azurite's).`,
    );
  }
  throw new Error(
    `Storage account connection string '${name}' does not exist. Make sure that it is a defined App Setting.`,
  );
}
