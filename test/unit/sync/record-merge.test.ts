import fc from 'fast-check';
import { contactMatchKeys, contactMerge, type ContactCard } from '../../../shared/sync/contact-card';
import { recordMerge } from '../../../shared/sync/record-merge';
import { todoMatchKeys, todoMerge, type TodoTask } from '../../../shared/sync/todo-task';
import type { Side } from '../../../shared/sync/types';

interface Sample {
  shared: string;
  owned: string;
  dtOnly?: string;
  olOnly?: string;
  stamp?: string;
}

const merge = recordMerge<Sample>('s1', {
  shared: 'both',
  owned: 'dingtalk-owned',
  dtOnly: 'dingtalk-only',
  olOnly: 'outlook-only',
  stamp: 'unhashed',
});

const value = fc.constantFrom('', 'a', 'b', '甲');
const sample = fc.record({ shared: value, owned: value, dtOnly: value, olOnly: value, stamp: value });
const side = fc.constantFrom<Side>('dingtalk', 'outlook');

describe('record merge', () => {
  test('a field changed on one side only keeps that side’s value, whichever side is pulled', () => {
    fc.assert(
      fc.property(sample, value, side, (base, edit, pulledSide) => {
        const changed = { ...base, shared: edit };
        const merged = merge.merge(merge.hash(base), changed, base, pulledSide)!;
        expect(merged.shared).toBe(edit);
        const mergedOther = merge.merge(merge.hash(base), base, changed, pulledSide)!;
        expect(mergedOther.shared).toBe(edit);
      }),
    );
  });

  test('a DingTalk-owned field takes DingTalk’s value unless it is empty, so an empty one never wipes Outlook’s', () => {
    fc.assert(
      fc.property(sample, value, value, side, (base, dingtalkValue, outlookValue, pulledSide) => {
        const dingtalk = { ...base, owned: dingtalkValue };
        const outlook = { ...base, owned: outlookValue };
        const [pulled, other] = pulledSide === 'dingtalk' ? [dingtalk, outlook] : [outlook, dingtalk];
        const merged = merge.merge(merge.hash(base), pulled, other, pulledSide)!;
        expect(merged.owned).toBe(dingtalkValue === '' ? outlookValue : dingtalkValue);
      }),
    );
  });

  test('one-sided fields keep their holder’s value and never make the other side differ', () => {
    fc.assert(
      fc.property(sample, sample, side, (dingtalk, outlook, pulledSide) => {
        const [pulled, other] = pulledSide === 'dingtalk' ? [dingtalk, outlook] : [outlook, dingtalk];
        const merged = merge.merge(merge.hash(dingtalk), pulled, other, pulledSide)!;
        expect(merged.dtOnly).toBe(dingtalk.dtOnly);
        expect(merged.olOnly).toBe(outlook.olOnly);
        const outlookWithoutDtOnly = { ...merged, dtOnly: 'anything else' };
        expect(merge.heldHash('outlook', outlookWithoutDtOnly)).toBe(merge.heldHash('outlook', merged));
        expect(merge.heldHash('dingtalk', { ...merged, olOnly: 'x', owned: 'y' })).toBe(
          merge.heldHash('dingtalk', merged),
        );
        expect(merge.heldHash('dingtalk', { ...merged, shared: `${merged.shared}!` })).not.toBe(
          merge.heldHash('dingtalk', merged),
        );
      }),
    );
  });

  test('merging is idempotent: merging the result against itself changes nothing', () => {
    fc.assert(
      fc.property(sample, sample, sample, side, (base, pulled, other, pulledSide) => {
        const merged = merge.merge(merge.hash(base), pulled, other, pulledSide)!;
        const again = merge.merge(merge.hash(merged), merged, merged, pulledSide)!;
        expect(merge.hash(again)).toBe(merge.hash(merged));
      }),
    );
  });

  test('an unhashed field never changes the hash, and empty values hash alike', () => {
    const base: Sample = { shared: 'a', owned: 'b', stamp: 'x' };
    expect(merge.hash({ ...base, stamp: 'y' })).toBe(merge.hash(base));
    expect(merge.hash({ ...base, dtOnly: '' })).toBe(merge.hash({ ...base, dtOnly: undefined }));
  });

  test('a base written by another hash cannot be read back: the conflict policy decides instead', () => {
    const s: Sample = { shared: 'a', owned: 'b' };
    expect(merge.merge('flags:S', s, s, 'dingtalk')).toBeUndefined();
    expect(merge.merge('s1:abc', s, s, 'dingtalk')).toBeUndefined();
    expect(merge.merge(merge.hash(s), s, s, 'dingtalk')).toEqual(s);
  });

  test('the link keeps short field hashes, not the values', () => {
    const card: ContactCard = {
      name: '王芳',
      company: '上海远航物流有限公司',
      title: '采购经理',
      email: 'wang.fang@example.cn',
      mobile: '+86 13800138000',
      address: '上海市浦东新区世纪大道 100 号',
      notes: 'x'.repeat(2000),
      labels: ['供应商'],
    };
    const hash = contactMerge.hash(card);
    expect(hash).toMatch(/^contact1:([0-9a-f]{8}\.){7}[0-9a-f]{8}$/);
    expect(hash).not.toContain('wang');
  });
});

describe('to-do merge rules', () => {
  const task: TodoTask = {
    subject: 'Send the customs declaration',
    body: '',
    dueDate: '2026-12-08',
    dueTime: '15:00',
    done: false,
    importance: 'high',
  };

  test('Outlook’s lack of a due time never makes DingTalk lose it, nor Outlook be written for it', () => {
    const outlook: TodoTask = { ...task, dueTime: undefined, subject: 'Send the customs declaration today' };
    const merged = todoMerge.merge(todoMerge.hash(task), outlook, task, 'outlook')!;
    expect(merged.dueTime).toBe('15:00');
    expect(merged.subject).toBe('Send the customs declaration today');
    expect(todoMerge.heldHash('outlook', outlook)).toBe(todoMerge.heldHash('outlook', merged));
    expect(todoMerge.heldHash('dingtalk', task)).not.toBe(todoMerge.heldHash('dingtalk', merged));
  });

  test('DingTalk’s priority leads after creation: its API cannot change it', () => {
    const outlook: TodoTask = { ...task, dueTime: undefined, importance: 'low' };
    const merged = todoMerge.merge(todoMerge.hash(task), outlook, task, 'outlook')!;
    expect(merged.importance).toBe('high');
    expect(todoMerge.heldHash('dingtalk', task)).toBe(todoMerge.heldHash('dingtalk', merged));
  });

  test('done in one place is done in both; the match key is the subject and due day', () => {
    const doneInDingTalk: TodoTask = { ...task, done: true, completedAt: '2026-12-07T09:00:00Z' };
    const outlook: TodoTask = { ...task, dueTime: undefined };
    const merged = todoMerge.merge(todoMerge.hash(task), doneInDingTalk, outlook, 'dingtalk')!;
    expect(merged.done).toBe(true);
    expect(merged.completedAt).toBe('2026-12-07T09:00:00Z');
    expect(todoMatchKeys({ ...task, subject: '  SEND the customs  declaration ' })).toEqual(
      todoMatchKeys(task),
    );
  });
});

describe('contact match keys', () => {
  test('e-mail first, then the normalised name and company', () => {
    const card: ContactCard = {
      name: 'Li  Lei',
      company: 'ACME',
      title: '',
      email: 'Li.Lei@Example.com',
      mobile: '',
      address: '',
      notes: '',
      labels: [],
    };
    expect(contactMatchKeys(card)).toEqual(['email:li.lei@example.com', 'name:li lei|acme']);
    expect(contactMatchKeys({ ...card, email: '' })).toEqual(['name:li lei|acme']);
  });
});
