/**
 * What the function app required while loading before the SDKs, the remote services and the worker were deferred to
 * first use (shared/platform/lazy-sdks.ts; functions/maintenance.ts and sync-worker.ts require the services and the
 * worker on their first invocation). Requiring them just ahead of the app, inside the timed window, loads the same
 * modules the app loaded then, so the bench can show both loading paths side by side on the same machine and code.
 */
export const EAGER_REQUIRES = [
  '@azure/data-tables',
  '@azure/storage-queue',
  '@azure/identity',
  '@azure/keyvault-secrets',
  '@microsoft/microsoft-graph-client',
  '../../shared/app/services',
  '../../shared/app/worker',
] as const;

export function requireEagerly(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading them is what is being measured
  for (const id of EAGER_REQUIRES) require(id);
}
