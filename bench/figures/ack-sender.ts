import { fork } from 'node:child_process';
import path from 'node:path';
import type { TimedSample } from '../pipeline/storage-stalls';
import type { AckBatch, AckBatchReply } from './ack-sender-process';
import type { WebhookRequest } from './webhook-requests';

export interface AckSender {
  /** Posts the requests one at a time from the sender's process; samples are on this process's performance.now(). */
  post(baseUrl: string, requests: WebhookRequest[]): Promise<Array<{ sample: TimedSample; status: number }>>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

export async function startAckSender(): Promise<AckSender> {
  const child = fork(path.join(__dirname, 'ack-sender-process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the ack sender did not start within 20 s')),
      READY_TIMEOUT_MS,
    );
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ack sender exited with code ${code} before it was ready`));
    });
  });
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
    async stop() {
      if (child.exitCode !== null || !child.connected) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      await exited;
    },
  };
}
