/** The host's own log: what it does (category 'host'), what functions log ('function'), library notes ('system'). */
import { format } from 'node:util';

export type HostLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

export interface HostLogEntry {
  time: Date;
  level: HostLogLevel;
  category: 'host' | 'function' | 'system';
  functionName?: string;
  invocationId?: string;
  message: string;
}

export type HostLogSink = (entry: HostLogEntry) => void;

const RANK: Record<HostLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
};

export function toHostLogLevel(level: string): HostLogLevel {
  return level in RANK ? (level as HostLogLevel) : 'information';
}

/** Prints like Core Tools: `[time] message`, errors and warnings to stderr. */
export function consoleLogSink(minimum: HostLogLevel = 'information'): HostLogSink {
  return (entry) => {
    if (RANK[entry.level] < RANK[minimum]) return;
    const line = `[${entry.time.toISOString()}] ${entry.message}`;
    if (RANK[entry.level] >= RANK.warning) console.error(line);
    else console.log(line);
  };
}

export interface HostLog {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  write(entry: Omit<HostLogEntry, 'time'>): void;
}

export function createHostLog(sink: HostLogSink): HostLog {
  const write = (entry: Omit<HostLogEntry, 'time'>) => {
    try {
      sink({ time: new Date(), ...entry });
    } catch {
      // A failing log sink must never take an invocation down with it.
    }
  };
  const at =
    (level: HostLogLevel) =>
    (...args: unknown[]) =>
      write({ level, category: 'host', message: format(...args) });
  return { debug: at('debug'), info: at('information'), warn: at('warning'), error: at('error'), write };
}
