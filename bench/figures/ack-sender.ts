import path from 'node:path';
import { forkReady, stopForked } from '../support/forked';
import type { TimedSample } from '../pipeline/storage-stalls';
import type { AckBatch, AckBatchReply } from './ack-sender-process';
import type { WebhookRequest } from './webhook-requests';

export interface AckSender {
  /** Posts the requests one at a time from the sender's process; samples are on this process's performance.now(). */
  post(baseUrl: string, requests: WebhookRequest[]): Promise<Array<{ sample: TimedSample; status: number }>>;
  stop(): Promise<void>;
}

export async function startAckSender(): Promise<AckSender> {
  const { child } = await forkReady(path.join(__dirname, 'ack-sender-process.js'), 'the ack sender');
  let nextId = 0;
  // Both processes read the same wall clock; this moves the sender's times onto the bench's timeline (stalls).
  const toLocalMs = (epochMs: number) => epochMs - performance.timeOrigin;
  return {
    post: (baseUrl, requests) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const onReply = (reply: AckBatchReply) => {
          if (reply.id !== id) return;
          child.off('message', onReply);
          if ('error' in reply) return reject(new Error(`ack sender: ${reply.error}`));
          resolve(
            reply.samples.map(({ startEpochMs, endEpochMs, status }) => {
              const startMs = toLocalMs(startEpochMs);
              const endMs = toLocalMs(endEpochMs);
              return { sample: { ms: endMs - startMs, startMs, endMs }, status };
            }),
          );
        };
        child.on('message', onReply);
        child.send({ id, baseUrl, requests } satisfies AckBatch);
      }),
    stop: () => stopForked(child),
  };
}
