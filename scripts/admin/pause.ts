import { folderWork } from '../../shared/app/folders';
import type { Stores } from '../../shared/store';
import { forEachBounded } from '../../shared/store/bounded';
import {
  isIdle,
  isPaused,
  SWITCH_CACHE_MS,
  withoutPause,
  withPause,
  type PauseScope,
  type PauseSwitch,
} from '../../shared/store/control-store';
import type { UserPair, WorkItem } from '../../shared/store/types';
import type { Kind } from '../../shared/sync/types';
import { UsageError } from './args';
import { findPairByIdOrAddress } from '../../shared/store/find-pair';

/**
 * `npm run admin -- pause | resume | status`: the pause switch (shared/store/control-store.ts, docs/runbook.md).
 *
 * A resume queues one pull of each folder it releases, both sides, so pushed kinds catch up rather than wait for
 * their next sweep; the pushes that arrived meanwhile were set aside by the worker, and the cursors still point
 * before them. The pulls are delayed past the workers' cache of the switch: until it expires an instance still
 * takes the folder for paused and would set its pull aside too, and so would it a push arriving just after the
 * resume, which the delayed pull then covers. Polled sides are left to their chains, which the worker kept alive
 * through the pause: a pull queued beside a live chain would cost a second listing for nothing.
 */
export type AdminStores = Pick<Stores, 'users' | 'control' | 'workQueue'>;

export interface PauseIO {
  out(line: string): void;
}

/** Queue messages in flight at once while a resume enqueues: 10,000 users' folders in a minute or two. */
const ENQUEUE_CONCURRENCY = 16;
/** Every instance has read the switch again by then (SWITCH_CACHE_MS), with a margin for clocks and a slow read. */
export const RESUME_DELAY_SECONDS = SWITCH_CACHE_MS / 1000 + 5;

export async function pause(
  stores: AdminStores,
  target: { user?: string; syncKind?: Kind },
  now: number,
  io: PauseIO,
): Promise<void> {
  const scope = await scopeOf(stores, target);
  const { before, after } = await stores.control.update((control) => withPause(control, scope), now);
  const what = describeScope(scope, target.user);
  io.out(
    sameSwitch(before, after)
      ? `${what} was paused already.`
      : `paused ${what}: every write stops within a minute; resume with "npm run admin -- resume${flagsOf(target)}".`,
  );
}

export async function resume(
  stores: AdminStores,
  target: { user?: string; syncKind?: Kind; all: boolean },
  now: number,
  io: PauseIO,
): Promise<number> {
  const scope: PauseScope | 'all' = target.all ? 'all' : await scopeOf(stores, target);
  const { before, after } = await stores.control.update((control) => withoutPause(control, scope), now);
  const queued = await enqueueReleased(stores, before, after);
  const what = scope === 'all' ? 'everything' : describeScope(scope, target.user);
  if (sameSwitch(before, after)) io.out(`${what} was not paused; nothing queued.`);
  else {
    io.out(
      `resumed ${what}: ${queued} folder pull${queued === 1 ? '' : 's'} queued; ` +
        `they start in ${RESUME_DELAY_SECONDS} s, once every instance has seen the switch.`,
    );
  }
  if (!isIdle(after)) io.out(`still paused: ${summary(after)}`);
  return queued;
}

export async function status(stores: AdminStores, io: PauseIO): Promise<PauseSwitch> {
  const control = await stores.control.read();
  io.out(isIdle(control) ? 'nothing is paused.' : `paused: ${summary(control)}`);
  if (control.changedAt) io.out(`last changed ${new Date(control.changedAt).toISOString()}`);
  for (const entry of control.pausedPairs) io.out(`  ${entry.replace('|', ' ')}`);
  return control;
}

/**
 * One pull per side of each (pair, kind) the change released. A change of the organisation-wide switch or of a
 * kind walks the users table once, here in the command; a pair's reads that pair only.
 */
async function enqueueReleased(
  stores: AdminStores,
  before: PauseSwitch,
  after: PauseSwitch,
): Promise<number> {
  const released = (pair: UserPair, kind: Kind) =>
    pair.status === 'active' && isPaused(before, pair.pairId, kind) && !isPaused(after, pair.pairId, kind);
  const broad =
    before.paused !== after.paused || before.pausedKinds.some((kind) => !after.pausedKinds.includes(kind));
  let pairs: UserPair[];
  if (broad) {
    pairs = await stores.users.list();
  } else {
    const ids = new Set(
      before.pausedPairs.filter((entry) => !after.pausedPairs.includes(entry)).map((e) => e.split('|')[0]),
    );
    pairs = (await Promise.all([...ids].map((id) => stores.users.get(id)))).filter(
      (pair): pair is UserPair => pair !== undefined,
    );
  }
  const work: WorkItem[] = pairs.flatMap((pair) =>
    folderWork(
      { pairId: pair.pairId, enabledKinds: pair.enabledKinds.filter((kind) => released(pair, kind)) },
      ['outlook', 'dingtalk'],
      'resume',
      { skipPolled: true },
    ),
  );
  await forEachBounded(work, ENQUEUE_CONCURRENCY, (item) =>
    stores.workQueue.enqueue(item, { delaySeconds: RESUME_DELAY_SECONDS }),
  );
  return work.length;
}

/** `--user` takes a pair id (the Entra object id) or an address; an address is found by one walk of the users. */
async function scopeOf(stores: AdminStores, target: { user?: string; syncKind?: Kind }): Promise<PauseScope> {
  if (!target.user) return { kind: target.syncKind };
  const pair = await findPairByIdOrAddress(stores.users, target.user);
  if (!pair) throw new UsageError(`no paired user ${JSON.stringify(target.user)}`);
  return { pairId: pair.pairId, kind: target.syncKind };
}

function describeScope(scope: PauseScope, user: string | undefined): string {
  const who = scope.pairId
    ? `${user ?? scope.pairId}${user === scope.pairId ? '' : ` (${scope.pairId})`}`
    : '';
  if (scope.pairId && scope.kind) return `${scope.kind} of ${who}`;
  if (scope.pairId) return `every kind of ${who}`;
  if (scope.kind) return `${scope.kind} for every user`;
  return 'the whole organisation';
}

function summary(control: PauseSwitch): string {
  const parts: string[] = [];
  if (control.paused) parts.push('the whole organisation');
  if (control.pausedKinds.length) parts.push(`kinds ${control.pausedKinds.join(', ')}`);
  if (control.pausedPairs.length) {
    parts.push(`${control.pausedPairs.length} user entr${control.pausedPairs.length === 1 ? 'y' : 'ies'}`);
  }
  return parts.join('; ');
}

const flagsOf = (target: { user?: string; syncKind?: Kind }) =>
  `${target.syncKind ? ` --kind ${target.syncKind}` : ''}${target.user ? ` --user ${target.user}` : ''}`;

const sameSwitch = (a: PauseSwitch, b: PauseSwitch) =>
  a.paused === b.paused &&
  a.pausedKinds.join(',') === b.pausedKinds.join(',') &&
  a.pausedPairs.join(',') === b.pausedPairs.join(',');
