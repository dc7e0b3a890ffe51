import { RecentReads } from '../../../shared/connectors/dingtalk/recent-reads';
import { ManualClock } from '../../../shared/platform/clock';

describe('recent reads of DingTalk events', () => {
  test('a read counts for freshMs, per user and event, and not after our own write', () => {
    const clock = new ManualClock(0);
    const reads = new RecentReads(clock, 1000);
    reads.remember('alice', 'e1', 'v1');
    reads.remember('alice', 'gone', undefined);
    expect(reads.fresh('alice', 'e1')).toEqual({ version: 'v1' });
    expect(reads.fresh('bob', 'e1')).toBeUndefined();
    expect(reads.fresh('alice', 'gone')).toEqual({ version: undefined });
    clock.advance(1000);
    expect(reads.fresh('alice', 'e1')).toEqual({ version: 'v1' });
    clock.advance(1);
    expect(reads.fresh('alice', 'e1')).toBeUndefined();
    reads.remember('alice', 'e1', 'v2');
    reads.forget('alice', 'e1');
    expect(reads.fresh('alice', 'e1')).toBeUndefined();
  });

  test('a newer read of an event replaces the older one and its age', () => {
    const clock = new ManualClock(0);
    const reads = new RecentReads(clock, 1000);
    reads.remember('alice', 'e1', 'v1');
    reads.remember('alice', 'e2', 'w1');
    clock.advance(600);
    reads.remember('alice', 'e1', 'v2');
    clock.advance(600);
    expect(reads.fresh('alice', 'e1')).toEqual({ version: 'v2' });
    expect(reads.fresh('alice', 'e2')).toBeUndefined();
  });

  test('freshMs 0 never trusts a read; a standing clock keeps at most 1000 entries', () => {
    const clock = new ManualClock(0);
    const off = new RecentReads(clock, 0);
    off.remember('alice', 'e1', 'v1');
    expect(off.fresh('alice', 'e1')).toBeUndefined();
    const reads = new RecentReads(clock, 1000);
    for (let n = 0; n <= 1000; n++) reads.remember('alice', `e${n}`, `v${n}`);
    expect(reads.fresh('alice', 'e0')).toBeUndefined();
    expect(reads.fresh('alice', 'e1')).toEqual({ version: 'v1' });
    expect(reads.fresh('alice', 'e1000')).toEqual({ version: 'v1000' });
  });
});
