import { contactMatchKeys, contactMerge, type ContactCard } from '../../../shared/sync/contact-card';
import { runPull } from '../../../shared/sync/pull';
import type { Side, UserRef } from '../../../shared/sync/types';
import { otherSide } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock, type Fault } from '../../property/support/faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore } from '../../property/support/memory-stores';
import { MemorySide } from '../../property/support/memory-side';
import { DEFAULT_POLICY, USER } from '../../property/support/world';

/**
 * DingTalk's external contacts as extcontact/create answers: a card without a label gets the organisation's first
 * label, and the e-mail (which create does not take) is not kept.
 */
class DingTalkContacts extends MemorySide<ContactCard> {
  override async create(user: UserRef, card: ContactCard, originKey: string) {
    const held = { ...card, email: '', labels: card.labels.length > 0 ? card.labels : ['客户'] };
    return super.create(user, held, originKey);
  }
}

const card = (fields: Partial<ContactCard> = {}): ContactCard => ({
  name: '王五',
  company: '钉钉科技',
  title: '采购经理',
  email: 'wang.wu@customer.example',
  mobile: '+86 13800138000',
  address: '',
  notes: '',
  labels: [],
  ...fields,
});

function world() {
  const clock = new LogicalClock();
  const faults = new FaultPlan();
  const sides = {
    dingtalk: new DingTalkContacts('dingtalk', 'contact', clock, faults, contactMatchKeys),
    outlook: new MemorySide<ContactCard>('outlook', 'contact', clock, faults, contactMatchKeys),
  };
  const stores = {
    links: new MemoryLinkStore(faults),
    intents: new MemoryIntentStore(faults),
    audit: new MemoryAuditSink(faults),
  };
  const cursors: Partial<Record<Side, string>> = {};
  const pull = async (side: Side, fault?: Fault) => {
    faults.arm(fault);
    try {
      const result = await runPull({
        user: USER,
        pulled: { adapter: sides[side], folder: 'f' },
        other: { adapter: sides[otherSide(side)], folder: 'f' },
        cursor: cursors[side],
        policy: DEFAULT_POLICY,
        now: () => clock.now(),
        hashProjection: contactMerge.hash,
        fieldMerge: contactMerge,
        ...stores,
      });
      if (result.outcome === 'synced') cursors[side] = result.cursor;
      return result;
    } finally {
      faults.disarm();
    }
  };
  const writes = () => sides.dingtalk.writeCount() + sides.outlook.writeCount();
  return { sides, stores, pull, writes };
}

describe('a created copy that does not hold what its create asked', () => {
  test('a field the target filled in reaches the source, and both sides end equal under one link', async () => {
    const w = world();
    await w.pull('outlook');
    await w.pull('dingtalk');
    const source = w.sides.outlook.userCreate(card());

    await w.pull('outlook');
    const [copy] = w.sides.dingtalk.liveItems();
    expect(copy!.projection.labels).toEqual(['客户']);
    // Without the merge the link would claim both hold the source's card, and Outlook would never show the label.
    const [outlook] = w.sides.outlook.liveItems();
    expect(outlook!.projection.labels).toEqual(['客户']);
    // The e-mail DingTalk does not keep is no difference: Outlook keeps its own.
    expect(outlook!.projection.email).toBe(source.projection.email);
    expect(w.sides.outlook.calls.update).toBe(1);
    expect(w.sides.dingtalk.calls.update).toBe(0);
    expect(w.stores.links.all()).toEqual([
      expect.objectContaining({
        dingtalkId: copy!.id,
        outlookId: outlook!.id,
        dingtalkVersion: copy!.version,
        outlookVersion: outlook!.version,
        projectionHash: contactMerge.hash({ ...source.projection, labels: ['客户'] }),
      }),
    ]);
    expect(w.stores.intents.all()).toEqual([]);

    // Quiet: the echo of both writes is known, and nothing is written again.
    const before = w.writes();
    await w.pull('dingtalk');
    await w.pull('outlook');
    expect(w.writes()).toBe(before);
    expect(w.sides.dingtalk.liveItems()).toHaveLength(1);
    expect(w.sides.outlook.liveItems()).toHaveLength(1);
  });

  test('a crash between the create and the write to the source ends the same after recovery', async () => {
    const w = world();
    await w.pull('outlook');
    await w.pull('dingtalk');
    w.sides.outlook.userCreate(card());

    await expect(w.pull('outlook', { atStep: 'outlook.update', kind: 'crash-before' })).rejects.toThrow();
    expect(w.stores.intents.all()).toHaveLength(1);
    await w.pull('dingtalk');
    await w.pull('outlook');
    await w.pull('dingtalk');

    expect(w.sides.dingtalk.liveItems().map((i) => i.projection.labels)).toEqual([['客户']]);
    expect(w.sides.outlook.liveItems().map((i) => i.projection.labels)).toEqual([['客户']]);
    expect(w.stores.links.all()).toHaveLength(1);
    expect(w.stores.intents.all()).toEqual([]);
    expect(w.sides.dingtalk.calls.create).toBe(1);
  });

  test('a copy that holds exactly what was asked costs the create alone', async () => {
    const w = world();
    await w.pull('outlook');
    await w.pull('dingtalk');
    const source = w.sides.outlook.userCreate(card({ labels: ['供应商'] }));

    await w.pull('outlook');
    expect(w.writes()).toBe(1);
    expect(w.sides.dingtalk.calls.create).toBe(1);
    const [copy] = w.sides.dingtalk.liveItems();
    expect(copy!.projection).toEqual({ ...source.projection, email: '' });
    expect(w.stores.links.all()).toEqual([
      expect.objectContaining({
        dingtalkId: copy!.id,
        outlookId: source.id,
        outlookVersion: source.version,
        projectionHash: contactMerge.hash(source.projection),
      }),
    ]);
    const before = w.writes();
    await w.pull('dingtalk');
    await w.pull('outlook');
    expect(w.writes()).toBe(before);
  });
});
