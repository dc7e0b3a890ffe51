import type { LinkState, OtherState, PulledState } from './classify';
import { chooseWinner } from './conflict-policy';
import type { ConflictPolicy, Side, SyncPolicy } from './types';
import { otherSide } from './types';
import { SyncError } from './errors';

/**
 * The truth table of one pulled change (docs/sync-engine.md renders the same rows). Rows never overlap, and every
 * situation the classifiers can produce matches exactly one row (test/property/truth-table.test.ts).
 *
 *   link      pulled                 other                    action
 *   none      deleted                -                        no-op
 *   none      new                    match-same               link
 *   none      new                    match-different          conflict policy: update-other | update-pulled
 *   none      new                    no-match                 create-other
 *   tombstone deleted|touched|unch.  -                        no-op
 *   tombstone changed                -                        skip (no resurrection)
 *   detached  deleted                -                        tombstone
 *   detached  touched|unchanged      -                        no-op
 *   detached  changed                -                        skip (counterpart deleted under 'ignore')
 *   undone    deleted|touched|unch.  -                        no-op (its copy was removed by undo)
 *   undone    changed                -                        skip (never copied again)
 *   live      unchanged              -                        no-op (echo of our write)
 *   live      touched                -                        refresh versions
 *   live      changed                unchanged                update-other; kinds merged per field: merge
 *   live      changed                same                     refresh versions
 *   live      changed                changed                  conflict policy: update-other | update-pulled;
 *                                                             kinds merged per field: merge
 *   live      changed                deleted                  recreate-other (an edit beats a delete)
 *   live      deleted                unchanged                delete policy: delete-other | unlink
 *   live      deleted                changed                  recreate-pulled (an edit beats a delete)
 *   live      deleted                deleted                  tombstone
 */

export type Action =
  | 'no-op'
  | 'skip'
  | 'refresh'
  | 'link'
  | 'create-other'
  | 'update-other'
  | 'update-pulled'
  | 'merge'
  | 'delete-other'
  | 'recreate-other'
  | 'recreate-pulled'
  | 'unlink'
  | 'tombstone';

export interface Situation {
  link: LinkState;
  pulled: PulledState;
  other: OtherState;
}

type Outcome = Action | 'by-conflict-policy' | 'by-delete-policy';

export interface Rule {
  id: string;
  link: readonly LinkState[];
  pulled: readonly PulledState[];
  other: readonly OtherState[];
  outcome: Outcome;
  /** Both sides changed (or one edited what the other deleted): audited as a conflict. */
  conflict: 'no' | 'by-policy' | 'edit-beats-delete';
  /**
   * Kinds merged field by field (field-merge.ts) merge here instead of applying the outcome: on both-sides changes
   * instead of the conflict policy, and on one-side changes too, because a field only one side holds or may write
   * must not be copied over whole (a DingTalk edit would wipe an Outlook-only reminder).
   */
  mergeable?: true;
  why: string;
}

const NOT_READ = ['not-read'] as const;

// prettier-ignore
export const RULES: readonly Rule[] = [
  { id: 'N1', link: ['none'], pulled: ['deleted'], other: NOT_READ, outcome: 'no-op', conflict: 'no', why: 'never linked: nothing to delete on the other side' },
  { id: 'N2', link: ['none'], pulled: ['new'], other: ['match-same'], outcome: 'link', conflict: 'no', why: 'first sync: the same item already exists on both sides' },
  { id: 'N3', link: ['none'], pulled: ['new'], other: ['match-different'], outcome: 'by-conflict-policy', conflict: 'by-policy', why: 'first sync: the same item exists on both sides with different content' },
  { id: 'N4', link: ['none'], pulled: ['new'], other: ['no-match'], outcome: 'create-other', conflict: 'no', why: 'new item' },
  { id: 'T1', link: ['tombstone'], pulled: ['deleted', 'touched', 'unchanged'], other: NOT_READ, outcome: 'no-op', conflict: 'no', why: 'already deleted on both sides' },
  { id: 'T2', link: ['tombstone'], pulled: ['changed'], other: NOT_READ, outcome: 'skip', conflict: 'no', why: 'deleted on both sides; a late change does not resurrect it' },
  { id: 'D1', link: ['detached'], pulled: ['deleted'], other: NOT_READ, outcome: 'tombstone', conflict: 'no', why: 'the copy kept under delete policy ignore is gone too' },
  { id: 'D2', link: ['detached'], pulled: ['touched', 'unchanged'], other: NOT_READ, outcome: 'no-op', conflict: 'no', why: 'kept under delete policy ignore; nothing synced changed' },
  { id: 'D3', link: ['detached'], pulled: ['changed'], other: NOT_READ, outcome: 'skip', conflict: 'no', why: 'its counterpart was deleted under delete policy ignore: not re-created' },
  { id: 'U1', link: ['undone'], pulled: ['deleted', 'touched', 'unchanged'], other: NOT_READ, outcome: 'no-op', conflict: 'no', why: 'undo removed the copy: neither its removal nor the original\'s is sent on' },
  { id: 'U2', link: ['undone'], pulled: ['changed'], other: NOT_READ, outcome: 'skip', conflict: 'no', why: 'undo removed the copy: the original is never copied again' },
  { id: 'L1', link: ['live'], pulled: ['unchanged'], other: NOT_READ, outcome: 'no-op', conflict: 'no', why: 'the echo of our own write, or already synced' },
  { id: 'L2', link: ['live'], pulled: ['touched'], other: NOT_READ, outcome: 'refresh', conflict: 'no', why: 'the version moved but the synced content did not' },
  { id: 'L3', link: ['live'], pulled: ['changed'], other: ['unchanged'], outcome: 'update-other', conflict: 'no', mergeable: true, why: 'changed on the pulled side only' },
  { id: 'L4', link: ['live'], pulled: ['changed'], other: ['same'], outcome: 'refresh', conflict: 'no', why: 'both sides already hold the same content' },
  { id: 'L5', link: ['live'], pulled: ['changed'], other: ['changed'], outcome: 'by-conflict-policy', conflict: 'by-policy', mergeable: true, why: 'changed on both sides' },
  { id: 'L6', link: ['live'], pulled: ['changed'], other: ['deleted'], outcome: 'recreate-other', conflict: 'edit-beats-delete', why: 'edited here, deleted there: the edit wins' },
  { id: 'L7', link: ['live'], pulled: ['deleted'], other: ['unchanged'], outcome: 'by-delete-policy', conflict: 'no', why: 'deleted on the pulled side only' },
  { id: 'L8', link: ['live'], pulled: ['deleted'], other: ['changed'], outcome: 'recreate-pulled', conflict: 'edit-beats-delete', why: 'deleted here, edited there: the edit wins' },
  { id: 'L9', link: ['live'], pulled: ['deleted'], other: ['deleted'], outcome: 'tombstone', conflict: 'no', why: 'deleted on both sides' },
];

export interface DecisionContext {
  policy: SyncPolicy;
  pulledSide: Side;
  modifiedAt: Record<Side, string | undefined>;
  /** The kind merges its fields one by one against the last synced values (and the link's base is readable). */
  mergesFields?: boolean;
}

export interface Decision {
  rule: Rule;
  action: Action;
  conflict?: { winner: Side; resolvedBy: ConflictPolicy | 'edit-beats-delete' };
}

export class ImpossibleSituationError extends SyncError {
  constructor(readonly situation: Situation) {
    super(`no truth-table row for ${JSON.stringify(situation)}`, {
      code: 'engine-impossible-situation',
      retryable: false,
      side: 'engine',
    });
  }
}

export const rulesMatching = (s: Situation): Rule[] =>
  RULES.filter((r) => r.link.includes(s.link) && r.pulled.includes(s.pulled) && r.other.includes(s.other));

export function decide(situation: Situation, context: DecisionContext): Decision {
  const [rule, ...more] = rulesMatching(situation);
  if (!rule || more.length > 0) throw new ImpossibleSituationError(situation);
  const pulledSide = context.pulledSide;
  if (rule.outcome === 'by-delete-policy') {
    return { rule, action: context.policy.deletes === 'propagate' ? 'delete-other' : 'unlink' };
  }
  if (rule.mergeable && context.mergesFields) return { rule, action: 'merge' };
  if (rule.outcome === 'by-conflict-policy') {
    const winner = chooseWinner(context.policy.conflict, context.modifiedAt);
    const action = winner === pulledSide ? 'update-other' : 'update-pulled';
    return { rule, action, conflict: { winner, resolvedBy: context.policy.conflict } };
  }
  if (rule.conflict === 'edit-beats-delete') {
    const winner = rule.outcome === 'recreate-other' ? pulledSide : otherSide(pulledSide);
    return { rule, action: rule.outcome, conflict: { winner, resolvedBy: 'edit-beats-delete' } };
  }
  return { rule, action: rule.outcome };
}

/** The table as Markdown, for docs/sync-engine.md (a unit test keeps the document equal to this). */
export function renderTruthTable(): string {
  const merged = (r: Rule) => (r.mergeable ? '; `merge` for kinds merged per field' : '');
  const outcome = (r: Rule): string =>
    r.outcome === 'by-conflict-policy'
      ? 'conflict policy → `update-other` or `update-pulled`' + merged(r)
      : r.outcome === 'by-delete-policy'
        ? '`delete-other` (propagate) or `unlink` (ignore)'
        : `\`${r.outcome}\`` + merged(r);
  const rows = RULES.map(
    (r) =>
      `| ${r.id} | ${r.link.join(', ')} | ${r.pulled.join(', ')} | ${r.other.join(', ')} | ${outcome(r)} | ${r.conflict === 'no' ? '' : r.conflict} | ${r.why} |`,
  );
  return [
    '| row | link | pulled | other | action | conflict | why |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
