import { randomBytes } from 'node:crypto';
import { createAppContext, setAppContext, type AppContext } from '../../shared/app/context';
import { loadConfig } from '../../shared/platform/config';
import { createLogger, type LogLevel } from '../../shared/platform/logger';
import type { Clock } from '../../shared/platform/clock';
import { trackAuditOutbox } from './audit-outboxes';

export interface TestApp extends AppContext {
  logLines: Array<{ level: LogLevel; line: string }>;
}

/** An app context on the test Azurite with tables and a queue of its own, installed as the process context. */
export function createTestApp(
  options: { env?: Record<string, string>; clock?: Clock; queueName?: string } = {},
): TestApp {
  const suffix = randomBytes(4).toString('hex');
  const config = loadConfig({
    SYNC_MODE: 'sandbox',
    AzureWebJobsStorage: process.env.TEST_AZURITE_CONNECTION!,
    // Suites that exercise mail say so; the others keep to the calendar they test.
    SYNC_KINDS: 'calendar',
    ...options.env,
  });
  const logLines: TestApp['logLines'] = [];
  const log = createLogger({ level: 'debug', sink: (level, line) => logLines.push({ level, line }) });
  const app = createAppContext(config, {
    log,
    clock: options.clock,
    tablePrefix: `t${suffix}`,
    queueName: options.queueName ?? `work-${suffix}`,
  });
  setAppContext(app);
  trackAuditOutbox(app.stores);
  return { ...app, logLines };
}
