import fc from 'fast-check';
import { mailFieldMerge, mailHash, mailMatchKeys, type MailProjection } from '../../shared/sync/mail-message';
import { runPull } from '../../shared/sync/pull';
import { PullFailedError } from '../../shared/sync/pull-errors';
import type { Side, SyncPolicy, UserRef } from '../../shared/sync/types';
import { otherSide } from '../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../support/randomness';
import { FaultPlan, LogicalClock, type Fault } from './support/faults';
import { MemorySide } from './support/memory-side';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from './support/memory-stores';

/**
 * Read state and flag are merged field by field against the values last synced (docs/sync-engine.md, "Merged
 * fields"). Oracle: between two quiet points, a field changed on either side ends at its changed value on both
 * sides; a field neither changed keeps its value. No stale side flips a newer change back, whatever the order of
 * pulls, throttling, and crashes between any two steps.
 */

const RUNS = runsFrom('PROPERTY_RUNS', 150);
const USER: UserRef = {
  pairId: 'pair-1',
  dingtalkUserId: 'dt',
  dingtalkUnionId: 'union',
  entraId: 'entra',
  email: 'li.lei@example.com',
};
const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'ignore',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};
const FIELDS = ['seen', 'flagged'] as const;

class MailWorld {
  readonly clock = new LogicalClock();
  readonly faults = new FaultPlan();
  readonly links = new MemoryLinkStore(this.faults);
  readonly intents = new MemoryIntentStore(this.faults);
  readonly audit = new MemoryAuditSink(this.faults);
  readonly cursors: Partial<Record<Side, string>> = {};
  readonly sides: Record<Side, MemorySide<MailProjection>> = {
    dingtalk: new MemorySide('dingtalk', 'mail', this.clock, this.faults, (p) => mailMatchKeys(p.envelope)),
    outlook: new MemorySide('outlook', 'mail', this.clock, this.faults, (p) => mailMatchKeys(p.envelope)),
  };

  async pull(side: Side, fault?: Fault): Promise<void> {
    this.faults.arm(fault);
    try {
      const result = await runPull<MailProjection>({
        user: USER,
        pulled: { adapter: this.sides[side], folder: 'INBOX' },
        other: { adapter: this.sides[otherSide(side)], folder: 'inbox' },
        cursor: this.cursors[side],
        links: this.links,
        intents: this.intents,
        audit: this.audit,
        policy: POLICY,
        now: () => this.clock.now(),
        hashProjection: mailHash,
        fieldMerge: mailFieldMerge,
        proveMissing: false,
      });
      if (result.outcome === 'synced') this.cursors[side] = result.cursor;
    } catch (err) {
      if (!(err instanceof PullFailedError) || !fault) throw err;
    } finally {
      this.faults.disarm();
    }
  }

  async quiesce(): Promise<void> {
    for (let round = 0; round < 6; round += 1) {
      const before = this.sides.dingtalk.writeCount() + this.sides.outlook.writeCount() + this.links.saves;
      await this.pull('dingtalk');
      await this.pull('outlook');
      const after = this.sides.dingtalk.writeCount() + this.sides.outlook.writeCount() + this.links.saves;
      if (after === before) return;
    }
    throw new Error('no quiet after 6 rounds');
  }

  /** Message subject → flags, per side. */
  flags(side: Side): Map<string, MailProjection> {
    return new Map(this.sides[side].liveItems().map((i) => [i.projection.envelope.subject, i.projection]));
  }

  toggle(side: Side, subject: string, field: (typeof FIELDS)[number]): void {
    const item = this.sides[side].liveItems().find((i) => i.projection.envelope.subject === subject)!;
    this.sides[side].userUpdate(item.id, { ...item.projection, [field]: !item.projection[field] });
  }
}

const message = (n: number): MailProjection => ({
  seen: false,
  flagged: false,
  envelope: {
    messageId: `<m${n}@example.com>`,
    subject: `m${n}`,
    sentAt: '2026-12-01T08:00:00Z',
    receivedAt: '2026-12-01T08:00:05Z',
  },
});

const toggle = fc.record({
  side: fc.constantFrom<Side>('dingtalk', 'outlook'),
  message: fc.integer({ min: 0, max: 2 }),
  field: fc.constantFrom(...FIELDS),
});
const fault = fc.option(
  fc.record({
    atCall: fc.integer({ min: 1, max: 12 }),
    kind: fc.constantFrom<Fault['kind']>('crash-before', 'crash-after', 'throttle', 'server-error'),
  }),
  { nil: undefined },
);
const round = fc.record({
  toggles: fc.array(toggle, { maxLength: 6 }),
  pulls: fc.array(fc.record({ side: fc.constantFrom<Side>('dingtalk', 'outlook'), fault }), { maxLength: 4 }),
});

test(`read state and flags merge per field: no change is lost or flipped back (${RUNS} runs)`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 4 }), async (rounds) => {
      const world = new MailWorld();
      for (let n = 0; n < 3; n += 1) world.sides.dingtalk.userCreate(message(n));
      await world.quiesce();
      for (const r of rounds) {
        const base = world.flags('dingtalk');
        for (const t of r.toggles) world.toggle(t.side, `m${t.message}`, t.field);
        const edited = { dingtalk: world.flags('dingtalk'), outlook: world.flags('outlook') };
        for (const p of r.pulls) await world.pull(p.side, p.fault as Fault | undefined);
        await world.quiesce();
        const after = { dingtalk: world.flags('dingtalk'), outlook: world.flags('outlook') };
        expect(after.dingtalk.size).toBe(3);
        expect(after.outlook.size).toBe(3);
        for (const [subject, was] of base) {
          for (const field of FIELDS) {
            const changed =
              edited.dingtalk.get(subject)![field] !== was[field] ||
              edited.outlook.get(subject)![field] !== was[field];
            const expected = changed ? !was[field] : was[field];
            expect({ subject, field, dingtalk: after.dingtalk.get(subject)![field] }).toEqual({
              subject,
              field,
              dingtalk: expected,
            });
            expect({ subject, field, outlook: after.outlook.get(subject)![field] }).toEqual({
              subject,
              field,
              outlook: expected,
            });
          }
        }
      }
      expect(world.audit.rows.filter((row) => row.action === 'conflict')).toEqual([]);
    }),
    fastCheckRuns(RUNS),
  );
});

test('a read in Outlook and a flag in DingTalk between two pulls both survive, with one write per side', async () => {
  const world = new MailWorld();
  world.sides.dingtalk.userCreate(message(0));
  await world.quiesce();
  world.toggle('outlook', 'm0', 'seen');
  world.toggle('dingtalk', 'm0', 'flagged');
  const writesBefore = {
    dingtalk: world.sides.dingtalk.calls.update,
    outlook: world.sides.outlook.calls.update,
  };
  await world.pull('dingtalk');
  expect(world.flags('dingtalk').get('m0')).toMatchObject({ seen: true, flagged: true });
  expect(world.flags('outlook').get('m0')).toMatchObject({ seen: true, flagged: true });
  expect(world.sides.dingtalk.calls.update - writesBefore.dingtalk).toBe(1);
  expect(world.sides.outlook.calls.update - writesBefore.outlook).toBe(1);
  const writes = world.sides.dingtalk.writeCount() + world.sides.outlook.writeCount();
  await world.quiesce();
  expect(world.sides.dingtalk.writeCount() + world.sides.outlook.writeCount()).toBe(writes);
});

test('a crash between the two writes of a merge is finished by the next pull, not undone', async () => {
  const world = new MailWorld();
  world.sides.dingtalk.userCreate(message(0));
  await world.quiesce();
  world.toggle('outlook', 'm0', 'seen');
  world.toggle('dingtalk', 'm0', 'flagged');
  // The merge writes Outlook first (the other side of a DingTalk pull), then DingTalk: crash before the second.
  await world.pull('dingtalk', { atStep: 'dingtalk.update', kind: 'crash-before' });
  expect(world.flags('outlook').get('m0')).toMatchObject({ seen: true, flagged: true });
  expect(world.flags('dingtalk').get('m0')).toMatchObject({ seen: false, flagged: true });
  await world.quiesce();
  expect(world.flags('dingtalk').get('m0')).toMatchObject({ seen: true, flagged: true });
  expect(world.flags('outlook').get('m0')).toMatchObject({ seen: true, flagged: true });
});

test('a crash between a copy and its link, then changes on both sides: recovery merges per field, nothing lost', async () => {
  const world = new MailWorld();
  world.sides.dingtalk.userCreate(message(0));
  // The copy reaches Outlook, the process dies before the link is saved.
  await world.pull('dingtalk', { atStep: 'outlook.create', kind: 'crash-after' });
  expect(world.flags('outlook').get('m0')).toBeDefined();
  expect(world.links.all()).toEqual([]);
  world.toggle('dingtalk', 'm0', 'flagged');
  world.toggle('outlook', 'm0', 'seen');
  await world.quiesce();
  expect(world.flags('dingtalk').get('m0')).toMatchObject({ seen: true, flagged: true });
  expect(world.flags('outlook').get('m0')).toMatchObject({ seen: true, flagged: true });
  expect(world.sides.outlook.liveItems()).toHaveLength(1);
});
