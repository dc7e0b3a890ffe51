import type { Stores } from '../../store';
import { statusOf } from '../../store/errors';
import { BREAKER_RELEASE_REASON, cursorKey, type UserPair, type WorkItem } from '../../store/types';
import type { Kind, Side } from '../../sync/types';
import { FOLDERS } from '../folders';
import type { Admin } from './access';

/**
 * What an admin may do to one folder from the status page, each the same thing the app or the runbook already does:
 *
 * - retry now: the pull the `retries` job would queue at the failure's next try (`reason: retry`), now; its success
 *   clears the folder's failure;
 * - resync: a pull that lists the whole folder again, matching and never deleting (`resync: true`, as the
 *   subscription upkeep queues after Graph removed a subscription);
 * - release: for a folder the bulk-delete breaker stopped, the failure row goes and one pull is queued that may
 *   delete past BULK_DELETE_MAX_SHARE (BREAKER_RELEASE_REASON); a second trip needs a second release.
 *
 * Each action is an audit row (action `admin`, who did it and what happened).
 */
export const STATUS_ACTIONS = ['retry', 'resync', 'release'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

export type ActionStores = Pick<Stores, 'users' | 'failures' | 'workQueue' | 'audit'>;

export interface ActionResult {
  status: number;
  message: string;
  pair?: UserPair;
}

const SIDES: readonly Side[] = ['dingtalk', 'outlook'];
const WORDS: Record<StatusAction, string> = {
  retry: 'retry now',
  resync: 'resync',
  release: 'release the breaker',
};

export async function runStatusAction(
  deps: { stores: ActionStores; kinds: readonly Kind[]; now: number },
  admin: Admin,
  form: URLSearchParams,
): Promise<ActionResult> {
  const action = form.get('action') as StatusAction;
  const kind = form.get('kind') as Kind;
  const side = form.get('side') as Side;
  if (!STATUS_ACTIONS.includes(action))
    return bad(`unknown action: choose one of ${STATUS_ACTIONS.join(', ')}`);
  if (!SIDES.includes(side)) return bad('the side must be dingtalk or outlook');
  const pair = await deps.stores.users.get(form.get('pairId') ?? '');
  if (!pair) return { status: 404, message: 'No paired user has this pair id.' };
  if (!deps.kinds.includes(kind) || !pair.enabledKinds.includes(kind)) {
    return { status: 400, message: `${String(kind)} is not synced for this user.`, pair };
  }
  if (pair.status !== 'active') {
    return {
      status: 409,
      message: `This pair is ${pair.status}: nothing of it is synced, so nothing was queued.`,
      pair,
    };
  }
  const work: WorkItem = { pairId: pair.pairId, kind, side, folder: FOLDERS[kind][side], reason: 'retry' };
  let done: string;
  if (action === 'retry') {
    await deps.stores.workQueue.enqueue(work);
    done = `a pull of ${kind} (${side}) was queued; when it succeeds, its failure is cleared`;
  } else if (action === 'resync') {
    await deps.stores.workQueue.enqueue({ ...work, reason: 'resync', resync: true });
    done = `a full listing of ${kind} (${side}) was queued: it matches and copies what is missing, and deletes nothing`;
  } else {
    const failure = (await deps.stores.failures.listForPair(pair.pairId)).find(
      (f) => cursorKey(f.work) === cursorKey(work) && f.permanent && /bulk-delete breaker/i.test(f.lastError),
    );
    if (!failure) {
      return { status: 409, message: `No bulk-delete breaker stopped ${kind} (${side}) of this user.`, pair };
    }
    try {
      await deps.stores.failures.remove(failure);
    } catch (err) {
      if (statusOf(err) !== 412) throw err;
      return {
        status: 409,
        message: 'The breaker row changed while you read it: reload the page and look again.',
        pair,
      };
    }
    await deps.stores.workQueue.enqueue({ ...work, reason: BREAKER_RELEASE_REASON });
    done =
      `the breaker of ${kind} (${side}) was released: its failure row is gone and one pull was queued that ` +
      `applies the deletions it stopped (${failure.lastError})`;
  }
  await deps.stores.audit.record({
    at: new Date(deps.now).toISOString(),
    pairId: pair.pairId,
    kind,
    side,
    action: 'admin',
    reason: `${WORDS[action]} by ${admin.who}: ${done}`,
  });
  return { status: 200, message: `Done: ${done}.`, pair };
}

const bad = (message: string): ActionResult => ({ status: 400, message: `${message}.` });
