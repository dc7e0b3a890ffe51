import path from 'node:path';
import { forkReady, stopForked } from '../support/forked';
import type { FakeOperations } from './fake-operations';
import type { FakesReady, FakesReply, FakesRequest } from './fakes-process';

type Operation = keyof FakeOperations;

/** The fakes running in a child process, driven by name over IPC. */
export interface Fakes {
  graphUrl: string;
  dingtalkUrl: string;
  pid: number;
  call<K extends Operation>(
    op: K,
    ...args: Parameters<FakeOperations[K]>
  ): Promise<Awaited<ReturnType<FakeOperations[K]>>>;
  /** CPU time the fakes' process spent answering the bench's calls (their synchronous part). */
  queryCpuMs(): Promise<number>;
  stop(): Promise<void>;
}

export async function startFakesProcess(): Promise<Fakes> {
  const { child, ready } = await forkReady<FakesReady>(
    path.join(__dirname, 'fakes-process.js'),
    "the fakes' process",
    { serialization: 'advanced' },
  );

  let nextId = 0;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (reply: FakesReply) => {
    const pending = waiting.get(reply.id);
    waiting.delete(reply.id);
    if ('error' in reply) pending?.reject(new Error(`fakes: ${reply.error}`));
    else pending?.resolve(reply.value);
  });
  child.on('exit', (code) => {
    for (const pending of waiting.values()) pending.reject(new Error(`the fakes' process exited (${code})`));
    waiting.clear();
  });
  const send = (op: FakesRequest['op'], args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.send({ id, op, args } satisfies FakesRequest);
    });

  return {
    graphUrl: ready.graphUrl,
    dingtalkUrl: ready.dingtalkUrl,
    pid: child.pid!,
    call: (op, ...args) => send(op, args) as never,
    queryCpuMs: () => send('queryCpuMs', []) as Promise<number>,
    stop: () => stopForked(child),
  };
}
