import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from './paths';

/**
 * The most queue messages one Functions instance runs at once: host.json's `extensions.queues.batchSize` plus
 * `newBatchThreshold` (the runtime fetches a new batch when no more than the threshold are still running;
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#concurrency).
 */
export function queueConcurrency(): number {
  const host = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'host.json'), 'utf8')) as {
    extensions?: { queues?: { batchSize?: number; newBatchThreshold?: number } };
  };
  const queues = host.extensions?.queues;
  if (!Number.isInteger(queues?.batchSize) || !Number.isInteger(queues?.newBatchThreshold)) {
    throw new Error('host.json must set extensions.queues.batchSize and newBatchThreshold');
  }
  return queues!.batchSize! + queues!.newBatchThreshold!;
}
