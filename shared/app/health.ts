import type { AppContext } from './context';

export interface HealthReport {
  status: 'ok' | 'degraded';
  mode: 'sandbox' | 'live';
  version: string;
  storage: { reachable: boolean; error?: string };
  dryRun: boolean;
}

export async function checkHealth(app: AppContext, version: string): Promise<HealthReport> {
  let storage: HealthReport['storage'] = { reachable: true };
  try {
    // One point read proves the account answers and the identity may read the state tables.
    await app.stores.users.get('health-probe');
  } catch (err) {
    storage = { reachable: false, error: err instanceof Error ? err.message : String(err) };
  }
  return {
    status: storage.reachable ? 'ok' : 'degraded',
    mode: app.config.mode,
    version,
    storage,
    dryRun: app.config.sync.dryRun,
  };
}
