import { parseNcrontab } from '../../sandbox/host/timers/ncrontab';

/** Time between two firings of the maintenance timer, read from its NCRONTAB schedule (default: one minute). */
export function timerPeriodMs(schedule: string, from = Date.now()): number {
  const cron = parseNcrontab(schedule);
  const [first, second] = cron.nextOccurrences(2, new Date(from));
  return second!.getTime() - first!.getTime();
}
