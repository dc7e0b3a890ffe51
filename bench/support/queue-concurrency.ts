import { readHostConfig } from '../../sandbox/host/host-config';
import { APP_ROOT } from './paths';

/**
 * The most queue messages one Functions instance runs at once: host.json's `extensions.queues.batchSize` plus
 * `newBatchThreshold` (the runtime fetches a new batch when no more than the threshold are still running;
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#concurrency), as the local host
 * reads them, app-setting overrides included.
 */
export function queueConcurrency(): number {
  const { queues } = readHostConfig(APP_ROOT);
  return queues.batchSize + queues.newBatchThreshold;
}
