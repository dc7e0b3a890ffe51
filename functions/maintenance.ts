import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { runMaintenance, type MaintenanceReport } from '../shared/app/maintenance';
import type * as ServicesModule from '../shared/app/services';

/**
 * The maintenance jobs (pairing, subscription upkeep and audit, safety sweeps, failure retries, retention), each when
 * due and under its own lease; every minute by default (TIMER_SCHEDULE).
 */
export async function maintenance(_timer: Timer, context: InvocationContext): Promise<MaintenanceReport> {
  // Required on the first run, not when the app loads: the services bring both connectors and the Graph SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { getServices, maintenanceDeps } = require('../shared/app/services') as typeof ServicesModule;
  const ctx = getAppContext();
  const report = await runMaintenance(maintenanceDeps(ctx, getServices()));
  ctx.log.info('maintenance run', { invocationId: context.invocationId, ...report });
  return report;
}

app.timer('maintenance', { schedule: '%TIMER_SCHEDULE%', runOnStartup: false, handler: maintenance });
