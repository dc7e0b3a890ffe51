import { app, type InvocationContext } from '@azure/functions';
import { getAppContext } from '../shared/app/context';
import type * as ServicesModule from '../shared/app/services';
import type * as WorkerModule from '../shared/app/worker';
import type { WorkOutcome } from '../shared/app/worker';
import { parseWorkItem, InvalidWorkItemError } from '../shared/store/work-item';
import { SYNC_WORK_QUEUE } from '../shared/store/work-queue';

/**
 * One pull per message. A malformed message is logged and completed (retrying cannot fix it); any other error is
 * thrown so the runtime retries the message and, after five attempts, moves it to the poison queue.
 */
export async function syncWorker(
  message: unknown,
  context: InvocationContext,
): Promise<WorkOutcome | undefined> {
  // Required on the first message, not when the app loads: the services bring both connectors and the Graph SDK,
  // the worker the sync engine.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { getServices, workerDeps } = require('../shared/app/services') as typeof ServicesModule;
  const { processWork } = require('../shared/app/worker') as typeof WorkerModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ctx = getAppContext();
  let work;
  try {
    work = parseWorkItem(message);
  } catch (err) {
    if (!(err instanceof InvalidWorkItemError)) throw err;
    ctx.log.error('malformed work message dropped', {
      invocationId: context.invocationId,
      error: err.message,
    });
    return undefined;
  }
  return processWork(workerDeps(ctx, getServices()), work);
}

app.storageQueue('sync-worker', {
  queueName: SYNC_WORK_QUEUE,
  connection: 'AzureWebJobsStorage',
  handler: syncWorker,
});
