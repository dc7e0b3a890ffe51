import type { HintedItem, WorkItem } from '../../store/types';
import { MAX_HINT_ITEMS } from '../../store/work-item';

/** Pushes of a person's change; other work (polls, sweeps, resyncs, retries) is sent as it comes. */
const JOINABLE_REASONS = new Set(['callback', 'notification']);

/**
 * How long joined hints wait for the message before them. Usually that message is stored within a few milliseconds
 * and they go out right after it; when the queue is slow they go out in parallel after this, so a joined hint waits
 * at most this plus its own message, not two slow messages in a row.
 */
export const MAX_JOIN_WAIT_MS = 50;

interface Waiting {
  works: WorkItem[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  timer: NodeJS.Timeout;
}

interface Folder {
  /** Messages of this folder on their way to the queue. */
  sending: number;
  /** The hints that arrived while one was being sent: they go in the next message. */
  waiting?: Waiting;
}

/**
 * Group commit of hints, per folder: while one hint of a folder is being enqueued, the hints of that folder that
 * arrive meanwhile wait and go out together as the next message, once the first is stored (or after
 * MAX_JOIN_WAIT_MS). The notifications of the 20 writes of one pull, which arrive together, then cost a few queue
 * messages instead of 20 (and the worker as many invocations), as a database's group commit shares one log write
 * among the transactions that wait for it.
 *
 * Nothing is lost or answered early: a hint's caller resolves only when a message carrying it is in the queue, and
 * rejects with that message's failure (the sender then retries). A hint never joins a message already sent, only
 * the next one, which is sent after it arrived, so the pull that message starts sees its change; `hintedAt` is the
 * latest of the joined hints' times, so a pull counted as covering the message began after all of them.
 *
 * Per process: instances do not share it, and need not (each one's hints are complete on their own).
 */
export class HintGroupCommit {
  private readonly folders = new Map<string, Folder>();

  constructor(
    private readonly send: (work: WorkItem) => Promise<void>,
    private readonly maxWaitMs = MAX_JOIN_WAIT_MS,
  ) {}

  record(work: WorkItem): Promise<void> {
    if (!JOINABLE_REASONS.has(work.reason) || work.resync) return this.send(work);
    const key = JSON.stringify([work.pairId, work.kind, work.side, work.folder, work.reason]);
    let folder = this.folders.get(key);
    if (!folder) this.folders.set(key, (folder = { sending: 0 }));
    if (folder.sending === 0) return this.flush(key, folder, [work]);
    folder.waiting ??= this.startWaiting(key, folder);
    folder.waiting.works.push(work);
    return folder.waiting.done;
  }

  /** Folders with a message on its way or hints waiting (for tests). */
  get busyFolders(): number {
    return this.folders.size;
  }

  private startWaiting(key: string, folder: Folder): Waiting {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const timer = setTimeout(() => this.sendWaiting(key, folder), this.maxWaitMs);
    timer.unref();
    return { works: [], done, resolve, reject, timer };
  }

  private async flush(key: string, folder: Folder, works: WorkItem[]): Promise<void> {
    folder.sending += 1;
    try {
      await this.send(joinHints(works));
    } finally {
      folder.sending -= 1;
      this.sendWaiting(key, folder);
      if (folder.sending === 0 && !folder.waiting) this.folders.delete(key);
    }
  }

  private sendWaiting(key: string, folder: Folder): void {
    const waiting = folder.waiting;
    if (!waiting) return;
    folder.waiting = undefined;
    clearTimeout(waiting.timer);
    this.flush(key, folder, waiting.works).then(waiting.resolve, waiting.reject);
  }
}

/** The items a hint names: its own, then those of the hints joined to it. */
export function hintedItems(work: WorkItem): HintedItem[] {
  if (!work.itemId) return [];
  const first: HintedItem = {
    itemId: work.itemId,
    ...(work.version !== undefined ? { version: work.version } : {}),
    ...(work.deleted ? { deleted: true } : {}),
  };
  return [first, ...(work.moreItems ?? [])];
}

/**
 * One message for hints of one folder and reason. It names their items while every hint names one and they are
 * few enough; otherwise none (a plain "pull this folder").
 */
export function joinHints(works: WorkItem[]): WorkItem {
  if (works.length === 1) return works[0];
  const [first] = works;
  const hintedAt = Math.max(...works.map((w) => w.hintedAt ?? 0));
  const base: WorkItem = {
    pairId: first.pairId,
    kind: first.kind,
    side: first.side,
    folder: first.folder,
    reason: first.reason,
    ...(hintedAt > 0 ? { hintedAt } : {}),
  };
  const items = works.map(hintedItems);
  if (items.some((i) => i.length === 0)) return base;
  const all = items.flat();
  if (all.length > MAX_HINT_ITEMS) return base;
  const [head, ...rest] = all;
  return { ...base, ...head, moreItems: rest };
}
