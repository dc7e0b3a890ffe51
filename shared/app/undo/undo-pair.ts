import { LeaseLostError, linkRowKey, type PairStateStore } from '../../store/pair-state-store';
import type { AuditEntry, Link, RemoteItem, Side, SideAdapter, UserRef } from '../../sync/types';
import { NotFoundRemoteError, PermanentRemoteError, VersionConflictRemoteError } from '../../sync/types';
import { PairLease } from '../pipeline/pair-lease';
import type { UndoLine } from './plan';
import { checkCopy, selectLink, type CopyCheck, type UndoScope } from './selection';

/**
 * Undo for one (pair, kind): the dry run's listing, and the apply of a plan's lines (docs/undo.md).
 *
 * The apply holds the pair's lease (pair-lease.ts) the way a worker does, so no pull of this (pair, kind) runs
 * while copies are removed; workers that meet it send their hints back and pull after it is released. For each
 * chunk of copies: read each copy (is it still there, still stamped?), mark their links undone and pending in one
 * write, remove the copies, audit, then clear the pending marks in one write. A crash at any point leaves marks a
 * re-run finds and finishes; the engine already treats a marked link as excluded, so nothing is copied back.
 */

export interface PairUndoDeps {
  pairState: PairStateStore;
  audit: { recordMany(entries: AuditEntry[]): Promise<void> };
  /** The kind's adapters on both sides. */
  sides: Record<Side, SideAdapter<unknown>>;
  now(): number;
  /** The lease owner written on the state row: names this run. */
  owner: string;
  wait(ms: number): Promise<void>;
  /** How often to look again at a lease another worker holds before reporting the pair busy. */
  leaseTries?: number;
}

export interface PairListing {
  lines: UndoLine[];
  /** Links written before origins were recorded (never touched). */
  unknown: number;
  /** Copies an earlier undo removed. */
  done: number;
}

/** Copies removed per lease write: two table writes per chunk. */
export const CHUNK = 20;
const LEASE_RETRY_MS = 2_000;

/** The dry run of one pair: every link in scope, each copy read once (subject, stamp, still there). */
export async function listPair(deps: PairUndoDeps, user: UserRef, scope: UndoScope): Promise<PairListing> {
  const listing: PairListing = { lines: [], unknown: 0, done: 0 };
  for (const link of await deps.pairState.listLinks(user.pairId, scope.kind)) {
    const verdict = selectLink(link, scope);
    if (!verdict) continue;
    if (verdict.verdict === 'unknown') listing.unknown += 1;
    else if (verdict.verdict === 'done') listing.done += 1;
    else if (verdict.verdict === 'skip')
      listing.lines.push(lineOf(user, scope, verdict, 'skip', verdict.reason));
    else {
      try {
        const check = await readAndCheck(deps, user, verdict.side, verdict.id);
        listing.lines.push(lineFromCheck(user, scope, verdict, check));
      } catch (err) {
        const reason = `could not read it: ${messageOf(err)}; not in the plan (run the dry run again)`;
        listing.lines.push(lineOf(user, scope, verdict, 'failed', reason));
      }
    }
  }
  return listing;
}

/** Removes the copies the plan lists for this pair (only those; each checked again). Returns one line each. */
export async function applyPair(
  deps: PairUndoDeps,
  user: UserRef,
  scope: UndoScope,
  plannedLines: UndoLine[],
): Promise<UndoLine[]> {
  const results = new Map<string, UndoLine>();
  const tries = deps.leaseTries ?? 15;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await applyOnce(deps, user, scope, plannedLines, results);
      break;
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      if (attempt >= tries) {
        const reason = 'a sync worker kept this user and kind busy: not removed; run the apply again';
        for (const line of plannedLines) {
          const key = keyOf(line.side, line.id);
          if (!results.has(key)) results.set(key, { ...line, action: 'failed', reason });
        }
        break;
      }
      await deps.wait(LEASE_RETRY_MS);
    }
  }
  return plannedLines.map((line) => results.get(keyOf(line.side, line.id)) ?? line);
}

async function applyOnce(
  deps: PairUndoDeps,
  user: UserRef,
  scope: UndoScope,
  plannedLines: UndoLine[],
  results: Map<string, UndoLine>,
): Promise<void> {
  const { state } = await deps.pairState.load(user.pairId, scope.kind);
  const lease = new PairLease(deps.pairState, state, deps.owner, deps.now);
  if (lease.heldByOther()) throw new LeaseLostError(`pair ${user.pairId}: leased by a worker`);
  const pending = plannedLines.filter((line) => results.get(keyOf(line.side, line.id))?.action !== 'removed');
  const links = await linksOf(deps, user, scope, pending);
  const work: Array<{ line: UndoLine; link: Link; copiedAt: string }> = [];
  for (const line of pending) {
    const link = links.get(keyOf(line.side, line.id));
    const verdict = link && selectLink(link, { ...scope, side: line.side });
    if (verdict?.verdict === 'copy' && verdict.side === line.side && verdict.id === line.id) {
      work.push({ line, link: link!, copiedAt: verdict.copiedAt });
    } else if (verdict?.verdict === 'done') {
      results.set(keyOf(line.side, line.id), {
        ...line,
        action: 'gone',
        reason: 'removed by an earlier undo',
      });
    } else {
      const reason =
        'its link no longer names it as a copy in scope (changed since the dry run): left as it is';
      results.set(keyOf(line.side, line.id), { ...line, action: 'skip', reason });
    }
  }
  try {
    for (let i = 0; i < work.length; i += CHUNK) {
      await applyChunk(deps, user, scope, lease, work.slice(i, i + CHUNK), results);
    }
  } finally {
    if (lease.holds) await lease.release().catch(() => undefined);
  }
}

type Step = { line: UndoLine; link: Link; copiedAt: string; check?: CopyCheck; outcome?: UndoLine };

async function applyChunk(
  deps: PairUndoDeps,
  user: UserRef,
  scope: UndoScope,
  lease: PairLease,
  chunk: Array<{ line: UndoLine; link: Link; copiedAt: string }>,
  results: Map<string, UndoLine>,
): Promise<void> {
  const steps: Step[] = [];
  for (const entry of chunk) {
    const step: Step = { ...entry };
    try {
      step.check = await readAndCheck(deps, user, entry.line.side, entry.line.id);
    } catch (err) {
      step.outcome = { ...entry.line, action: 'failed', reason: `could not read it: ${messageOf(err)}` };
    }
    if (step.check?.verdict === 'skip') {
      step.outcome = {
        ...entry.line,
        action: 'skip',
        reason: step.check.reason,
        subject: step.check.subject,
      };
    }
    steps.push(step);
  }
  const marked = steps.filter((s) => !s.outcome);
  if (marked.length === 0) return record(results, steps);
  // Durable before any removal: from here on, the engine ignores these items whatever happens to this run.
  const at = new Date(deps.now()).toISOString();
  await lease.claim(marked.map((s) => ({ link: markedLink(s, at, true) })));
  for (const step of marked) step.outcome = await removeCopy(deps, user, step);
  const audit = marked.filter((s) => s.outcome!.action === 'removed' || s.outcome!.action === 'gone');
  await deps.audit.recordMany(audit.map((s) => auditEntryOf(user, scope, s, deps.now())));
  const settled = marked.filter((s) => s.outcome!.action !== 'failed');
  await lease.claim(
    settled.map((s) => ({
      link: s.outcome!.action === 'skip' ? { ...s.link, undone: undefined } : markedLink(s, at, false),
    })),
  );
  record(results, steps);
}

/** One removal, conditioned on the version just read; a copy edited meanwhile is read and checked once more. */
async function removeCopy(deps: PairUndoDeps, user: UserRef, step: Step): Promise<UndoLine> {
  const { line } = step;
  const adapter = deps.sides[line.side];
  const subject = (step.check as { subject?: string }).subject ?? line.subject;
  let check = step.check!;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (check.verdict === 'gone') return { ...line, subject, action: 'gone', reason: 'already gone' };
    if (check.verdict === 'skip') return { ...line, subject, action: 'skip', reason: check.reason };
    try {
      await adapter.delete(user, line.id, check.version);
      return { ...line, subject, action: 'removed', reason: undefined };
    } catch (err) {
      if (err instanceof NotFoundRemoteError)
        return { ...line, subject, action: 'gone', reason: 'already gone' };
      if (err instanceof PermanentRemoteError) {
        return { ...line, subject, action: 'skip', reason: `refused by ${line.side}: ${messageOf(err)}` };
      }
      if (!(err instanceof VersionConflictRemoteError)) {
        return { ...line, subject, action: 'failed', reason: `${messageOf(err)}; a re-run finishes it` };
      }
    }
    try {
      check = await readAndCheck(deps, user, line.side, line.id);
    } catch (err) {
      return { ...line, subject, action: 'failed', reason: `${messageOf(err)}; a re-run finishes it` };
    }
  }
  return {
    ...line,
    subject,
    action: 'failed',
    reason: 'it kept changing while undo ran; a re-run finishes it',
  };
}

function markedLink(step: Step, at: string, pending: boolean): Link {
  const { side, id } = step.line;
  return { ...step.link, undone: { side, id, at, ...(pending ? { pending: true } : {}) } };
}

function record(results: Map<string, UndoLine>, steps: Step[]): void {
  for (const step of steps) results.set(keyOf(step.line.side, step.line.id), step.outcome!);
}

async function linksOf(
  deps: PairUndoDeps,
  user: UserRef,
  scope: UndoScope,
  lines: UndoLine[],
): Promise<Map<string, Link | undefined>> {
  const found = new Map<string, Link | undefined>();
  for (const side of ['dingtalk', 'outlook'] as const) {
    const ids = lines.filter((line) => line.side === side).map((line) => line.id);
    for (const [key, link] of await deps.pairState.findLinks(user.pairId, scope.kind, side, ids)) {
      found.set(key, link);
    }
  }
  return found;
}

async function readAndCheck(deps: PairUndoDeps, user: UserRef, side: Side, id: string): Promise<CopyCheck> {
  let item: RemoteItem<unknown> | undefined;
  try {
    item = await deps.sides[side].get(user, id);
  } catch (err) {
    if (!(err instanceof NotFoundRemoteError)) throw err;
  }
  return checkCopy(item);
}

function lineFromCheck(
  user: UserRef,
  scope: UndoScope,
  verdict: { side: Side; id: string; copiedAt: string },
  check: CopyCheck,
): UndoLine {
  const line = lineOf(user, scope, verdict, check.verdict === 'remove' ? 'remove' : check.verdict);
  if (check.verdict === 'skip') return { ...line, subject: check.subject, reason: check.reason };
  if (check.verdict === 'gone') return { ...line, reason: 'already gone; its link will be marked' };
  return { ...line, subject: check.subject };
}

function lineOf(
  user: UserRef,
  scope: UndoScope,
  item: { side: Side; id: string; copiedAt: string },
  action: UndoLine['action'],
  reason?: string,
): UndoLine {
  return {
    action,
    pairId: user.pairId,
    user: user.email,
    kind: scope.kind,
    side: item.side,
    id: item.id,
    copiedAt: item.copiedAt,
    ...(reason ? { reason } : {}),
  };
}

function auditEntryOf(user: UserRef, scope: UndoScope, step: Step, now: number): AuditEntry {
  const origin = step.line.side === 'dingtalk' ? 'outlook' : 'dingtalk';
  const removed = step.outcome!.action === 'removed';
  return {
    at: new Date(now).toISOString(),
    pairId: user.pairId,
    kind: scope.kind,
    side: step.line.side,
    action: 'undo',
    dingtalkId: step.link.dingtalkId,
    outlookId: step.link.outlookId,
    reason: removed
      ? `undo: removed the copy made ${step.copiedAt} of the original on ${origin}`
      : `undo: the copy made ${step.copiedAt} was already gone; the original on ${origin} is no longer synced`,
  };
}

const keyOf = (side: Side, id: string): string => linkRowKey(side, id);

function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
