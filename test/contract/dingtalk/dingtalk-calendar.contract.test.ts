import { StaticAttendeeResolver } from '../../../shared/connectors/dingtalk/attendee-resolver';
import { DingTalkCalendarAdapter } from '../../../shared/connectors/dingtalk/calendar-adapter';
import { localWithOffset } from '../../../shared/sync/zoned-time';
import { ManualClock } from '../../../shared/platform/clock';
import type { EventTime } from '../../../shared/sync/calendar-event';
import { calendarAdapterContract } from '../calendar-adapter.contract';
import { startHarness } from '../../integration/dingtalk/support/harness';

const PAST_DAYS = 30;
const FUTURE_DAYS = 90;

const wireTime = (t: EventTime) => ({ dateTime: localWithOffset(t.local, t.timeZone), timeZone: t.timeZone });

calendarAdapterContract('DingTalk calendar against the fake DingTalk', async () => {
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  const h = await startHarness({ clock });
  const adapter = new DingTalkCalendarAdapter({
    client: h.client,
    resolver: new StaticAttendeeResolver([{ unionId: h.alice.dingtalkUnionId, email: h.alice.email }]),
    clock,
    window: { pastDays: PAST_DAYS, futureDays: FUTURE_DAYS },
  });
  const owner = h.alice.dingtalkUnionId;
  return {
    adapter,
    user: h.alice,
    folder: 'primary',
    windowPastDays: PAST_DAYS,
    windowFutureDays: FUTURE_DAYS,
    remote: {
      expireCursors: async () => h.fake.control.invalidateSyncTokens(owner),
      editOutOfBand: async (id, change) => {
        const patch: Record<string, unknown> = {};
        if (change.subject !== undefined) patch.summary = change.subject;
        if (change.start) patch.start = wireTime(change.start);
        if (change.end) patch.end = wireTime(change.end);
        h.fake.control.userUpdatesEvent(owner, id, patch);
      },
      deleteOutOfBand: async (id) => h.fake.control.userDeletesEvent(owner, id),
      advanceTime: async (ms) => clock.advance(ms),
      now: () => clock.now(),
    },
    dispose: () => h.stop(),
  };
});
