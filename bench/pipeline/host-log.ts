import type { HostLogEntry, HostLogSink } from '../../sandbox/host';
import { progress } from '../support/progress';

export interface HostLogTally {
  sink: HostLogSink;
  counts(): { warnings: number; errors: number };
}

const SHOWN = 5;

/** Keeps the host quiet (stdout is for the JSON), but counts its warnings and errors and shows the first few. */
export function tallyHostLog(): HostLogTally {
  let warnings = 0;
  let errors = 0;
  const sink = (entry: HostLogEntry) => {
    if (entry.level === 'warning') warnings++;
    else if (entry.level === 'error' || entry.level === 'critical') errors++;
    else return;
    if (warnings + errors <= SHOWN) progress(`host ${entry.level}: ${entry.message.slice(0, 300)}`);
  };
  return { sink, counts: () => ({ warnings, errors }) };
}
