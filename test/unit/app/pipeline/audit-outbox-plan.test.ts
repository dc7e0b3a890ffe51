import fc from 'fast-check';
import { MAX_OUTBOX_CHARS, planAuditOutbox } from '../../../../shared/app/pipeline/audit-outbox-plan';
import type { AuditOutbox } from '../../../../shared/store/audit-outbox';
import { MAX_PROPERTY_BYTES } from '../../../../shared/store/entity-size';
import type { AuditEntry } from '../../../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../../../support/randomness';

const entry = (reason = 'N4: new item', detail?: string): AuditEntry => ({
  at: '2026-12-07T10:00:00.000Z',
  pairId: 'p1',
  kind: 'calendar',
  action: 'create',
  reason,
  ...(detail === undefined ? {} : { detail }),
});
const knows = (writtenIds: string[]) => ({
  written: (_owner: string, id: string) => writtenIds.includes(id),
});
let ids = 0;
const newId = () => `o${++ids}`;

test("a pull's rows ride the commit in a new outbox", () => {
  const plan = planAuditOutbox(knows([]), 'p1|calendar', undefined, [entry(), entry()], newId);
  expect(plan.direct).toEqual([]);
  expect(plan.fresh).toHaveLength(2);
  expect(plan.outbox?.records).toEqual(plan.fresh);
  expect(new Set(plan.fresh.map((r) => r.rowKey)).size).toBe(2);
});

test('rows of the stored outbox not yet seen written are carried; written ones are not', () => {
  const stored = planAuditOutbox(knows([]), 'o', undefined, [entry('first')], newId).outbox!;
  const carried = planAuditOutbox(knows([]), 'o', stored, [entry('second')], newId);
  expect(carried.outbox?.records.map((r) => r.entry.reason)).toEqual(['first', 'second']);
  expect(carried.outbox?.id).not.toBe(stored.id);
  const after = planAuditOutbox(knows([stored.id]), 'o', stored, [entry('second')], newId);
  expect(after.outbox?.records.map((r) => r.entry.reason)).toEqual(['second']);
});

test('a pull without rows keeps an unwritten outbox as it is and clears a written one', () => {
  const stored = planAuditOutbox(knows([]), 'o', undefined, [entry()], newId).outbox!;
  expect(planAuditOutbox(knows([]), 'o', stored, [], newId).outbox).toBe(stored);
  expect(planAuditOutbox(knows([stored.id]), 'o', stored, [], newId).outbox).toBeUndefined();
});

test('rows too big for the state row go the direct way; the stored outbox is kept for its own rows', () => {
  const stored = planAuditOutbox(knows([]), 'o', undefined, [entry()], newId).outbox!;
  const conflict = entry('both changed; newest-wins chose outlook', 'x'.repeat(30_000));
  const plan = planAuditOutbox(knows([]), 'o', stored, [conflict], newId);
  expect(plan.direct).toEqual(plan.fresh);
  expect(plan.direct).toHaveLength(1);
  expect(plan.outbox).toBe(stored);
});

test('an entry that could never be written is refused before the commit, not left in an outbox', () => {
  expect(() => planAuditOutbox(knows([]), 'o', undefined, [{ ...entry(), at: 'yesterday' }], newId)).toThrow(
    /not ISO 8601/,
  );
});

test('property: every row goes exactly one way, nothing carried is lost, and the outbox fits its property', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ maxLength: 3000 }), { maxLength: 12 }),
      fc.array(fc.string({ maxLength: 3000 }), { maxLength: 30 }),
      fc.boolean(),
      (storedReasons, reasons, storedWritten) => {
        const first = planAuditOutbox(
          knows([]),
          'o',
          undefined,
          storedReasons.map((r) => entry(r)),
          newId,
        );
        const stored: AuditOutbox | undefined = first.outbox;
        const plan = planAuditOutbox(
          knows(storedWritten && stored ? [stored.id] : []),
          'o',
          stored,
          reasons.map((r) => entry(r)),
          newId,
        );
        const inOutbox = new Set(plan.outbox?.records.map((r) => r.rowKey) ?? []);
        for (const r of plan.fresh) {
          expect(inOutbox.has(r.rowKey) !== plan.direct.includes(r)).toBe(true);
        }
        if (stored && !storedWritten) {
          for (const r of stored.records) expect(inOutbox.has(r.rowKey)).toBe(true);
        }
        const text = plan.outbox ? JSON.stringify(plan.outbox) : '';
        expect(text.length).toBeLessThanOrEqual(MAX_OUTBOX_CHARS);
        expect(text.length * 2 + 4).toBeLessThanOrEqual(MAX_PROPERTY_BYTES);
      },
    ),
    fastCheckRuns(runsFrom('PROPERTY_RUNS', 100)),
  );
});
