import { ManualClock } from '../../../shared/platform/clock';
import { calendarAdapterContract } from '../calendar-adapter.contract';
import { startGraphHarness } from '../../support/graph/graph-harness';

const PAST_DAYS = 30;
const FUTURE_DAYS = 90;

calendarAdapterContract('Outlook (Graph) calendar against the fake Graph', async () => {
  const clock = new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  const h = await startGraphHarness({ clock, pastDays: PAST_DAYS, futureDays: FUTURE_DAYS });
  const owner = h.user.entraId;
  return {
    adapter: h.connector.calendar,
    user: h.user,
    folder: 'calendar',
    windowPastDays: PAST_DAYS,
    windowFutureDays: FUTURE_DAYS,
    remote: {
      expireCursors: async () => h.fake.control.expireDeltaTokens(owner),
      editOutOfBand: async (id, change) => {
        const patch: Record<string, unknown> = {};
        if (change.subject !== undefined) patch.subject = change.subject;
        if (change.start) patch.start = { dateTime: change.start.local, timeZone: change.start.timeZone };
        if (change.end) patch.end = { dateTime: change.end.local, timeZone: change.end.timeZone };
        h.fake.control.updateEvent(owner, id, patch);
      },
      deleteOutOfBand: async (id) => {
        h.fake.control.deleteEvent(owner, id);
      },
      advanceTime: async (ms) => clock.advance(ms),
      now: () => clock.now(),
    },
    dispose: () => h.stop(),
  };
});
