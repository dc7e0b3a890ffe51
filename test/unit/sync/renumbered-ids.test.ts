import {
  mailFieldMerge,
  mailHash,
  mailMatchKeys,
  type MailProjection,
} from '../../../shared/sync/mail-message';
import { runPull } from '../../../shared/sync/pull';
import type { Side, SyncPolicy } from '../../../shared/sync/types';
import { otherSide } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock, type Fault } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from '../../property/support/memory-stores';
import { USER } from '../../property/support/world';

/**
 * A side that gives its items new ids (an IMAP folder under a new UIDVALIDITY renumbers every message) and whose
 * full listings prove nothing about unlisted links (mail: proveMissing off). Found by the mail convergence property
 * test: each renumbered message was taken for new mail and copied to Outlook a second time.
 */

const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'ignore',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};

const message: MailProjection = {
  seen: false,
  flagged: false,
  envelope: {
    messageId: '<po-4471@client.example.com>',
    subject: '报关单已放行',
    sentAt: '2026-12-01T08:00:00Z',
    receivedAt: '2026-12-01T08:00:05Z',
  },
};

function world() {
  const clock = new LogicalClock();
  const faults = new FaultPlan();
  const keys = (p: MailProjection) => mailMatchKeys(p.envelope);
  const sides: Record<Side, MemorySide<MailProjection>> = {
    dingtalk: new MemorySide('dingtalk', 'mail', clock, faults, keys),
    outlook: new MemorySide('outlook', 'mail', clock, faults, keys),
  };
  const links = new MemoryLinkStore(faults);
  const intents = new MemoryIntentStore(faults);
  const audit = new MemoryAuditSink(faults);
  const cursors: Partial<Record<Side, string>> = {};
  const pull = async (side: Side, fault?: Fault) => {
    faults.arm(fault);
    const result = await runPull<MailProjection>({
      user: USER,
      pulled: { adapter: sides[side], folder: 'INBOX' },
      other: { adapter: sides[otherSide(side)], folder: 'inbox' },
      cursor: cursors[side],
      links,
      intents,
      audit,
      policy: POLICY,
      now: () => clock.now(),
      hashProjection: mailHash,
      fieldMerge: mailFieldMerge,
      proveMissing: false,
    });
    faults.disarm();
    if (result.outcome === 'synced') cursors[side] = result.cursor;
  };
  /** Every item of the side gets a new id, as after a new UIDVALIDITY, and the cursor is no longer valid. */
  const renumber = (side: Side, edit: (p: MailProjection) => MailProjection = (p) => p) => {
    for (const item of sides[side].liveItems()) {
      sides[side].userDelete(item.id);
      sides[side].userCreate(edit(item.projection));
    }
    sides[side].expireCursors();
  };
  return { sides, links, audit, pull, renumber };
}

test('a renumbered message keeps its link: no second copy, and changes on either side still merge', async () => {
  const w = world();
  w.sides.dingtalk.userCreate(message);
  await w.pull('dingtalk');
  await w.pull('outlook');
  expect(w.sides.outlook.liveItems()).toHaveLength(1);

  // Read in Outlook, flagged in DingTalk while the folder was rebuilt under new ids.
  const [copy] = w.sides.outlook.liveItems();
  w.sides.outlook.userUpdate(copy.id, { ...copy.projection, seen: true });
  w.renumber('dingtalk', (p) => ({ ...p, flagged: true }));
  await w.pull('dingtalk');
  await w.pull('outlook');

  expect(w.sides.outlook.calls.create).toBe(1);
  const [dingtalk] = w.sides.dingtalk.liveItems();
  const [outlook] = w.sides.outlook.liveItems();
  expect(w.sides.dingtalk.liveItems()).toHaveLength(1);
  expect(w.sides.outlook.liveItems()).toHaveLength(1);
  expect({ seen: dingtalk.projection.seen, flagged: dingtalk.projection.flagged }).toEqual({
    seen: true,
    flagged: true,
  });
  expect({ seen: outlook.projection.seen, flagged: outlook.projection.flagged }).toEqual({
    seen: true,
    flagged: true,
  });
  expect(w.links.all().filter((l) => !l.tombstone)).toEqual([
    expect.objectContaining({ dingtalkId: dingtalk.id, outlookId: outlook.id }),
  ]);
  expect(w.audit.rows.filter((r) => r.action === 'link')).toHaveLength(1);
});

test('a renumbered side with unchanged flags writes nothing remote', async () => {
  const w = world();
  w.sides.dingtalk.userCreate(message);
  w.sides.dingtalk.userCreate({
    ...message,
    envelope: { ...message.envelope, messageId: '<b@example.com>' },
  });
  await w.pull('dingtalk');
  await w.pull('outlook');
  const writes = w.sides.dingtalk.writeCount() + w.sides.outlook.writeCount();
  w.renumber('dingtalk');
  await w.pull('dingtalk');
  await w.pull('outlook');
  await w.pull('dingtalk');
  expect(w.sides.dingtalk.writeCount() + w.sides.outlook.writeCount()).toBe(writes);
  expect(w.sides.outlook.liveItems()).toHaveLength(2);
});

test('a copy made just before a crash finds its source renumbered meanwhile: linked, not copied again', async () => {
  // Found by the mail convergence test: crash recovery read the source's id of the old numbering as gone and kept
  // the copy unlinked, and the relist then took the renumbered source for new mail: two copies in Outlook.
  const w = world();
  w.sides.dingtalk.userCreate(message);
  await expect(w.pull('dingtalk', { atStep: 'links.save', kind: 'crash-before' })).rejects.toThrow();
  const [copy] = w.sides.outlook.liveItems();
  w.sides.outlook.userUpdate(copy.id, { ...copy.projection, seen: true });
  w.renumber('dingtalk');
  await w.pull('dingtalk');
  await w.pull('outlook');
  await w.pull('dingtalk');

  expect(w.sides.outlook.calls.create).toBe(1);
  const [dingtalk] = w.sides.dingtalk.liveItems();
  const [outlook] = w.sides.outlook.liveItems();
  expect(w.sides.outlook.liveItems()).toHaveLength(1);
  expect(w.links.all()).toEqual([
    expect.objectContaining({ dingtalkId: dingtalk.id, outlookId: outlook.id, projectionHash: 'flags:S' }),
  ]);
  // The read made in Outlook before the copy was linked again is not lost.
  expect([dingtalk.projection.seen, outlook.projection.seen]).toEqual([true, true]);
});
