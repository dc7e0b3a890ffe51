/** Shared bits for the local host tests: the fixture app, a log collector, and polling for a condition. */
import path from 'node:path';
import type { HostLogEntry, HostLogSink } from '../../../sandbox/host/log';

export const FIXTURE_APP = path.join(__dirname, '..', '..', 'fixtures', 'host-app');

export interface LogCollector {
  sink: HostLogSink;
  entries: HostLogEntry[];
  /** JSON objects the fixture's functions logged (they log one JSON object per line). */
  events(functionName?: string): Array<Record<string, unknown>>;
}

export function collectLogs(): LogCollector {
  const entries: HostLogEntry[] = [];
  return {
    entries,
    sink: (entry) => entries.push(entry),
    events: (functionName) =>
      entries
        .filter(
          (e) =>
            e.category === 'function' &&
            (!functionName || e.functionName === functionName) &&
            e.message.startsWith('{'),
        )
        .map((e) => ({
          ...(JSON.parse(e.message) as Record<string, unknown>),
          invocationId: e.invocationId,
          at: e.time.getTime(),
        })),
  };
}

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
}
