import { getConfig, type Config } from '../platform/config';
import { createLogger, type Logger } from '../platform/logger';
import { systemClock, type Clock } from '../platform/clock';
import { createSecretProvider, type SecretProvider } from '../platform/secrets';
import { createStorage, type Storage } from '../platform/storage';
import { createStores, type Stores } from '../store';
import { createIngressLookups, type IngressLookups } from './ingress-lookups';

/**
 * The composition root: one per process, built on first use so that loading the function app stays cheap (cold
 * start) and a test can build its own with other settings. Remote clients are added by services.ts.
 */
export interface AppContext {
  config: Config;
  log: Logger;
  clock: Clock;
  storage: Storage;
  stores: Stores;
  /** App-setting secrets (Key Vault references in Azure) and secrets the app writes at run time (Key Vault). */
  secrets: SecretProvider;
  /** Cached reads for the webhook paths. */
  lookups: IngressLookups;
}

export function createAppContext(
  config: Config,
  options: { log?: Logger; clock?: Clock; tablePrefix?: string; queueName?: string } = {},
): AppContext {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const storage = createStorage(config.storage);
  const stores = createStores(storage, {
    tablePrefix: options.tablePrefix,
    queueName: options.queueName,
    clock,
  });
  return {
    config,
    log,
    clock,
    storage,
    stores,
    secrets: createSecretProvider(config),
    lookups: createIngressLookups(stores, () => clock.now()),
  };
}

let current: AppContext | undefined;

export function getAppContext(): AppContext {
  current ??= createAppContext(getConfig());
  return current;
}

/** Tests and the local host install a context of their own. */
export function setAppContext(context: AppContext | undefined): void {
  current = context;
}
