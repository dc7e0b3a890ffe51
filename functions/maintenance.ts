import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import { runMaintenance, type MaintenanceReport } from '../shared/app/maintenance';
import { getServices, maintenanceDeps } from '../shared/app/services';

/** Pairing, subscription renewal, safety sweeps and failure retries; every minute by default (TIMER_SCHEDULE). */
export async function maintenance(_timer: Timer, context: InvocationContext): Promise<MaintenanceReport> {
  const ctx = getAppContext();
  const report = await runMaintenance(maintenanceDeps(ctx, getServices()));
  ctx.log.info('maintenance run', { invocationId: context.invocationId, ...report });
  return report;
}

app.timer('maintenance', { schedule: '%TIMER_SCHEDULE%', runOnStartup: false, handler: maintenance });
