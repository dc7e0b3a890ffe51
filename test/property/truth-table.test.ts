import fc from 'fast-check';
import {
  classifyMatch,
  classifyOther,
  classifyPulled,
  linkStateOf,
  otherSideNeeded,
  type LinkState,
  type OtherState,
  type PulledState,
} from '../../shared/sync/classify';
import { decide, RULES, rulesMatching, type Situation } from '../../shared/sync/truth-table';
import type {
  ConflictPolicy,
  DeletePolicy,
  Link,
  RemoteChange,
  RemoteItem,
  Side,
} from '../../shared/sync/types';
import { isDeletion, otherSide } from '../../shared/sync/types';
import { fastCheckRuns, runsFrom, suiteSeed } from '../support/randomness';

const LINKS: LinkState[] = ['none', 'live', 'detached', 'undone', 'tombstone'];
const PULLED: PulledState[] = ['new', 'changed', 'touched', 'unchanged', 'deleted'];
const OTHERS: OtherState[] = [
  'not-read',
  'no-match',
  'match-same',
  'match-different',
  'unchanged',
  'same',
  'changed',
  'deleted',
];

test('no two rows of the truth table overlap', () => {
  for (const link of LINKS) {
    for (const pulled of PULLED) {
      for (const other of OTHERS)
        expect(rulesMatching({ link, pulled, other }).length).toBeLessThanOrEqual(1);
    }
  }
});

/** Raw inputs as reconcile sees them; the projection is its own hash so that equal content is easy to produce. */
const hash = (p: string) => p;
const version = fc.constantFrom('v1', 'v2', 'v3');
const content = fc.constantFrom('p1', 'p2', 'p3');
const when = fc.integer({ min: 0, max: 5 }).map((n) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString());
const item = (id: string): fc.Arbitrary<RemoteItem<string>> =>
  fc.record({
    id: fc.constant(id),
    version,
    modifiedAt: when,
    projection: content,
    matchKeys: fc.constant([]),
  });

const raw = fc.record({
  side: fc.constantFrom<Side>('dingtalk', 'outlook'),
  change: fc.oneof(item('here'), fc.constant<RemoteChange<string>>({ id: 'here', deleted: true })),
  link: fc.option(
    fc.record({
      otherIdKept: fc.boolean(),
      tombstone: fc.boolean(),
      undone: fc.boolean(),
      hereVersion: version,
      thereVersion: version,
      projectionHash: content,
    }),
    { nil: undefined },
  ),
  otherNow: fc.option(item('there'), { nil: undefined }),
  candidate: fc.option(item('candidate'), { nil: undefined }),
  conflict: fc.constantFrom<ConflictPolicy>('newest-wins', 'prefer-dingtalk', 'prefer-outlook'),
  deletes: fc.constantFrom<DeletePolicy>('propagate', 'ignore'),
});

type Raw = typeof raw extends fc.Arbitrary<infer R> ? R : never;

/** The same steps as reconcileChange, minus the I/O. */
function classified(r: Raw) {
  const there = otherSide(r.side);
  let link: Link | undefined;
  if (r.link) {
    link = {
      linkId: 'l',
      kind: 'calendar',
      projectionHash: r.link.projectionHash,
      tombstone: r.link.tombstone || undefined,
      undone: r.link.undone ? { side: there, id: 'there', at: '2026-01-01T00:00:00.000Z' } : undefined,
    };
    link =
      r.side === 'dingtalk'
        ? { ...link, dingtalkId: 'here', dingtalkVersion: r.link.hereVersion }
        : { ...link, outlookId: 'here', outlookVersion: r.link.hereVersion };
    if (r.link.otherIdKept) {
      link =
        there === 'dingtalk'
          ? { ...link, dingtalkId: 'there', dingtalkVersion: r.link.thereVersion }
          : { ...link, outlookId: 'there', outlookVersion: r.link.thereVersion };
    }
  }
  const linkState = linkStateOf(link);
  const pulled = classifyPulled(r.change, link, r.side, hash);
  const pulledHash = isDeletion(r.change) ? undefined : r.change.projection;
  let other: RemoteItem<string> | undefined;
  let otherState: OtherState = 'not-read';
  if (link && otherSideNeeded(pulled, linkState)) {
    other = r.otherNow;
    otherState = classifyOther(other, link, there, pulledHash, hash);
  } else if (pulled === 'new' && pulledHash !== undefined) {
    other = r.candidate;
    otherState = classifyMatch(other, pulledHash, hash);
  }
  const situation: Situation = { link: linkState, pulled, other: otherState };
  const modifiedAt = {
    [r.side]: isDeletion(r.change) ? undefined : r.change.modifiedAt,
    [there]: other?.modifiedAt,
  } as Record<Side, string | undefined>;
  return { situation, other, modifiedAt };
}

const RUNS = runsFrom('PROPERTY_RUNS', 2000);

test(`every situation the classifiers produce matches exactly one row, and the action obeys the contract (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(raw, (r) => {
      const { situation, other, modifiedAt } = classified(r);
      expect(rulesMatching(situation)).toHaveLength(1);
      const policy = { conflict: r.conflict, deletes: r.deletes, bulkDeleteMaxShare: 1, dryRun: false };
      const decision = decide(situation, { policy, pulledSide: r.side, modifiedAt });

      // Deletes are never inferred: only an explicit deletion deletes, and only when the policy propagates.
      if (decision.action === 'delete-other')
        expect([situation.pulled, r.deletes]).toEqual(['deleted', 'propagate']);
      if (r.deletes === 'ignore') expect(decision.action).not.toBe('delete-other');
      // A change counts only if it differs from what we wrote: echoes and bumps never write anywhere.
      if (situation.pulled === 'unchanged' || situation.pulled === 'touched') {
        expect(['no-op', 'refresh', 'skip']).toContain(decision.action);
      }
      // The pulled side is only ever written when the other side holds an edit that beat it.
      if (decision.action === 'update-pulled' || decision.action === 'recreate-pulled') {
        expect(decision.conflict?.winner).toBe(otherSide(r.side));
        expect(['changed', 'match-different']).toContain(situation.other);
      }
      // Newest wins picks the later modifiedAt; a tie goes to Outlook whichever side is pulled.
      if (decision.conflict?.resolvedBy === 'newest-wins' && other && !isDeletion(r.change)) {
        const here = Date.parse(r.change.modifiedAt);
        const there = Date.parse(other.modifiedAt);
        const expected = here === there ? 'outlook' : here > there ? r.side : otherSide(r.side);
        expect(decision.conflict.winner).toBe(expected);
      }
      if (decision.conflict?.resolvedBy === 'prefer-dingtalk')
        expect(decision.conflict.winner).toBe('dingtalk');
      if (decision.conflict?.resolvedBy === 'prefer-outlook')
        expect(decision.conflict.winner).toBe('outlook');
      // A tombstone never comes back.
      if (situation.link === 'tombstone') expect(['no-op', 'skip']).toContain(decision.action);
      // A copy removed by undo is never made again, and no removal of either half is sent on.
      if (situation.link === 'undone') expect(['no-op', 'skip']).toContain(decision.action);
    }),
    fastCheckRuns(RUNS),
  );
});

test('every row of the truth table is reachable from real inputs', () => {
  const seen = new Set(
    fc
      .sample(raw, { numRuns: 5000, seed: suiteSeed() })
      .flatMap((r) => rulesMatching(classified(r).situation).map((rule) => rule.id)),
  );
  expect([...seen].sort()).toEqual(RULES.map((rule) => rule.id).sort());
});
