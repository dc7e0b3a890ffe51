/**
 * What the function app required while loading before the SDKs and the remote services were deferred to first use
 * (shared/platform/lazy-sdks.ts, the services require in functions/maintenance.ts and sync-worker.ts). Requiring
 * them just ahead of the app, inside the timed window, loads the same modules the app loaded then, so the bench can
 * show both loading paths side by side on the same machine and the same code.
 */
export const EAGER_REQUIRES = [
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/keyvault-secrets',
  '@microsoft/microsoft-graph-client',
  '../../shared/app/services',
] as const;

export function requireEagerly(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading them is what is being measured
  for (const id of EAGER_REQUIRES) require(id);
}
