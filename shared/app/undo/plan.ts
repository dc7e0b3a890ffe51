import { KINDS, type Kind, type Side } from '../../sync/types';

/**
 * The plan a dry run writes and an apply follows (docs/undo.md): JSON Lines, a header, then one line per item. The
 * apply removes only what the plan lists as `remove` or `gone`, re-checking each one, so it never removes more than
 * the dry run showed. Lines of one (pair, kind) are written together, so the apply reads the plan one group at a
 * time without holding it all.
 */

export const PLAN_FORMAT = 'dingtalk-m365-sync undo plan 1';

export interface PlanHeader {
  format: typeof PLAN_FORMAT;
  kind: Kind;
  /** One pair id, or every pair. */
  who: { pairId: string } | 'all';
  side?: Side;
  /** ISO 8601: copies made at or after `from` and before `to`. */
  from: string;
  to: string;
  listedAt: string;
}

/**
 * One item. Dry run: `remove` (would be removed), `gone` (already gone; its link would be marked), `skip`. Apply:
 * `removed`, `gone`, `skip`, `failed` (not removed this time; a re-run finishes it).
 */
export type LineAction = 'remove' | 'gone' | 'skip' | 'removed' | 'failed';

export interface UndoLine {
  action: LineAction;
  pairId: string;
  user: string;
  kind: Kind;
  /** The side the item is on, and its id there. */
  side: Side;
  id: string;
  subject?: string;
  copiedAt?: string;
  reason?: string;
}

export const planned = (line: UndoLine): boolean => line.action === 'remove' || line.action === 'gone';

const SIDES: readonly string[] = ['dingtalk', 'outlook'];
const ACTIONS: readonly string[] = ['remove', 'gone', 'skip', 'removed', 'failed'];

export class PlanError extends Error {}

export function parseHeader(text: string): PlanHeader {
  const h = parseObject(text, 1);
  if (h.format !== PLAN_FORMAT) throw new PlanError(`line 1: not an undo plan (expected "${PLAN_FORMAT}")`);
  const who = h.who === 'all' ? 'all' : (h.who as { pairId?: unknown } | undefined);
  if (
    !(KINDS as readonly unknown[]).includes(h.kind) ||
    (h.side !== undefined && !SIDES.includes(h.side as string)) ||
    (who !== 'all' && typeof who?.pairId !== 'string') ||
    [h.from, h.to, h.listedAt].some((t) => typeof t !== 'string' || Number.isNaN(Date.parse(t)))
  ) {
    throw new PlanError('line 1: the plan header is damaged');
  }
  return h as unknown as PlanHeader;
}

export function parseLine(text: string, lineNumber: number, header: PlanHeader): UndoLine {
  const l = parseObject(text, lineNumber);
  const strings = ['pairId', 'user', 'id'].every((name) => typeof l[name] === 'string' && l[name] !== '');
  if (!strings || !ACTIONS.includes(l.action as string) || !SIDES.includes(l.side as string)) {
    throw new PlanError(`line ${lineNumber}: not an item of an undo plan`);
  }
  if (l.kind !== header.kind)
    throw new PlanError(`line ${lineNumber}: kind ${String(l.kind)} is not the plan's`);
  if (header.who !== 'all' && l.pairId !== header.who.pairId) {
    throw new PlanError(`line ${lineNumber}: user ${String(l.pairId)} is not the plan's`);
  }
  return l as unknown as UndoLine;
}

function parseObject(text: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PlanError(`line ${lineNumber}: not JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new PlanError(`line ${lineNumber}: not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Consecutive lines of one (pair, kind), as the dry run wrote them. */
export async function* groupsOf(lines: AsyncIterable<UndoLine>): AsyncGenerator<UndoLine[]> {
  let group: UndoLine[] = [];
  for await (const line of lines) {
    if (group.length && group[0].pairId !== line.pairId) {
      yield group;
      group = [];
    }
    group.push(line);
  }
  if (group.length) yield group;
}
