import { processSettings, type ProcessSettings } from '../platform/process-settings';
import type { AppContext } from './context';

/** What anyone may see: whether the app can serve. */
export interface HealthStatus {
  status: 'ok' | 'degraded';
}

/**
 * What an admin sees with a function or host key (GET /api/health/details): the mode the app runs in, and why
 * storage cannot be read, in plain words. Never the storage service's own error text, which names the account,
 * the request and the identity.
 */
export interface HealthReport extends HealthStatus {
  mode: 'sandbox' | 'live';
  version: string;
  storage: { reachable: boolean; problem?: string };
  dryRun: boolean;
  /** The Node arguments and environment a deployment gives the process, as it actually got them. */
  process: ProcessSettings;
}

export async function checkHealth(app: AppContext, version: string): Promise<HealthReport> {
  let storage: HealthReport['storage'] = { reachable: true };
  try {
    // One point read proves the account answers and the identity may read the state tables.
    await app.stores.users.get('health-probe');
  } catch (err) {
    storage = { reachable: false, problem: storageProblem(err, app.config.mode) };
    // The whole error goes to the log (secrets masked), where only those who may read logs see it.
    const { statusCode, code } = (err ?? {}) as { statusCode?: unknown; code?: unknown };
    app.log.warn('health check: storage cannot be read', { statusCode, code, error: err });
  }
  return {
    status: storage.reachable ? 'ok' : 'degraded',
    mode: app.config.mode,
    version,
    storage,
    dryRun: app.config.sync.dryRun,
    process: processSettings(),
  };
}

/** The anonymous answer: the status, nothing an attacker could use. */
export const publicHealth = (report: HealthReport): HealthStatus => ({ status: report.status });

/** Why storage cannot be read, and what to check, from the error's status and code only. */
export function storageProblem(err: unknown, mode: 'sandbox' | 'live'): string {
  const e = (err ?? {}) as { statusCode?: number; code?: string; name?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const tag = [status, code].filter((x) => x !== undefined).join(' ');
  if (e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError' || status === 401) {
    return (
      'the app could not sign in to storage: check that AZURE_CLIENT_ID names the user-assigned identity ' +
      'attached to the function app'
    );
  }
  if (status === 403) {
    return (
      `storage refused the app's identity (${tag}): it needs the Storage Table Data Contributor and Storage Queue ` +
      `Data Contributor roles on the account (the template assigns them; a new assignment takes a few minutes), ` +
      `and the account's network rules must let the function app in`
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return "the storage account's address does not resolve: check AzureWebJobsStorage__accountName";
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || e.name === 'AbortError') {
    return mode === 'sandbox'
      ? `storage did not answer (${code ?? e.name}): is Azurite running (npm start starts it)?`
      : `storage did not answer (${code ?? e.name}); if it lasts, the app's log has the details`;
  }
  return `storage answered with an error (${tag || e.name || 'unknown'}); the app's log has the details`;
}
