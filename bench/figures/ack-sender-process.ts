/**
 * The sender of the webhook-ack figure, in a process of its own: Graph and DingTalk post their notifications from
 * their own machines, so the time a sender waits must not include the app's busy event loop serving the sender's
 * side of the connection too (a sender in the app's process is late reading every answer by whatever the worker is
 * doing). Started by ack-sender.ts with an IPC channel: it answers `{ready}`, then one reply per batch.
 */
export interface AckBatch {
  id: number;
  baseUrl: string;
  requests: Array<{ path: string; body: string }>;
}

/** Times on the wall clock (epoch ms, sub-millisecond), so the parent can place them on its own timeline. */
export interface AckSample {
  startEpochMs: number;
  endEpochMs: number;
  status: number;
}

export type AckBatchReply = { id: number; samples: AckSample[] } | { id: number; error: string };

const nowEpochMs = () => performance.timeOrigin + performance.now();

/** One request at a time, each timed from just before the POST until the whole answer is read. */
async function postOneByOne(batch: AckBatch): Promise<AckSample[]> {
  const samples: AckSample[] = [];
  for (const request of batch.requests) {
    const startEpochMs = nowEpochMs();
    const response = await fetch(`${batch.baseUrl}${request.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: request.body,
    });
    await response.arrayBuffer();
    samples.push({ startEpochMs, endEpochMs: nowEpochMs(), status: response.status });
  }
  return samples;
}

process.on('message', (batch: AckBatch) => {
  postOneByOne(batch).then(
    (samples) => process.send!({ id: batch.id, samples } satisfies AckBatchReply),
    (error: unknown) => process.send!({ id: batch.id, error: String(error) } satisfies AckBatchReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
