import { hintsFor, parseDingTalkEvent } from '../../../shared/ingress/dingtalk/events';
import { CALENDAR_CHANGE, CORP_ID } from './support/dingtalk-fixtures';

describe('parseDingTalkEvent', () => {
  it('reads check_url', () => {
    expect(parseDingTalkEvent({ EventType: 'check_url' })).toEqual({ type: 'check_url' });
  });

  it('reads a calendar change with its identifying fields', () => {
    expect(parseDingTalkEvent(CALENDAR_CHANGE)).toEqual({
      type: 'calendar_event_change',
      calendarEventId: 'RVNUZllHKelEydz09',
      changeType: 'updated',
      unionIds: ['QQamYiE', 'Zk2aiEiE'],
      calendarId: 'NzE3MjU0NEB1c2V5jb218MTQwMDE2',
      calendarEventUpdateTime: 1668735924619,
      eventTime: 1668735924640,
      bizId: '16684640',
      corpId: CORP_ID,
      operatorType: 'user',
    });
  });

  it('tolerates odd optional fields instead of refusing an authentic event', () => {
    const event = parseDingTalkEvent({
      ...CALENDAR_CHANGE,
      EventTime: 'soon',
      BizId: 42,
      operator: 'x',
      CalendarId: 7,
    });
    expect(event).toMatchObject({
      type: 'calendar_event_change',
      eventTime: undefined,
      bizId: '42',
      calendarId: undefined,
    });
  });

  it('marks a calendar change without CalendarEventId or with a bad UnionIdList as malformed', () => {
    const { CalendarEventId: _dropped, ...withoutId } = CALENDAR_CHANGE;
    expect(parseDingTalkEvent(withoutId)).toMatchObject({
      type: 'malformed',
      eventType: 'calendar_event_change',
    });
    expect(parseDingTalkEvent({ ...CALENDAR_CHANGE, UnionIdList: 'QQamYiE' })).toMatchObject({
      type: 'malformed',
    });
    expect(parseDingTalkEvent({ ...CALENDAR_CHANGE, UnionIdList: [''] })).toMatchObject({
      type: 'malformed',
    });
  });

  it.each(['user_add_org', 'user_modify_org', 'user_leave_org', 'user_active_org'] as const)(
    'reads %s',
    (type) => {
      const event = parseDingTalkEvent({
        EventType: type,
        CorpId: CORP_ID,
        TimeStamp: '1605695694141',
        UserId: ['u1', 'u2'],
      });
      expect(event).toEqual({ type, userIds: ['u1', 'u2'], corpId: CORP_ID, timeStamp: 1605695694141 });
    },
  );

  it('marks a directory event without a UserId list as malformed', () => {
    expect(parseDingTalkEvent({ EventType: 'user_add_org', UserId: 'u1' })).toMatchObject({
      type: 'malformed',
      eventType: 'user_add_org',
      problem: expect.stringContaining('UserId'),
    });
  });

  it('keeps the type of events we do not handle', () => {
    expect(parseDingTalkEvent({ EventType: 'org_dept_create', DeptId: [1] })).toEqual({
      type: 'unknown',
      eventType: 'org_dept_create',
    });
  });

  it('answers undefined when there is no usable EventType', () => {
    expect(parseDingTalkEvent({})).toBeUndefined();
    expect(parseDingTalkEvent({ EventType: '' })).toBeUndefined();
    expect(parseDingTalkEvent({ EventType: ['check_url'] })).toBeUndefined();
  });
});

describe('hintsFor', () => {
  it('gives one calendar hint per distinct attendee unionId', () => {
    const event = parseDingTalkEvent({ ...CALENDAR_CHANGE, UnionIdList: ['a', 'b', 'a'] })!;
    expect(hintsFor(event)).toEqual([
      { scope: 'calendar', unionId: 'a' },
      { scope: 'calendar', unionId: 'b' },
    ]);
  });

  it('gives one directory hint per distinct user, carrying the change', () => {
    const event = parseDingTalkEvent({ EventType: 'user_leave_org', UserId: ['u1', 'u2', 'u1'] })!;
    expect(hintsFor(event)).toEqual([
      { scope: 'directory', userIds: ['u1'], change: 'user_leave_org' },
      { scope: 'directory', userIds: ['u2'], change: 'user_leave_org' },
    ]);
  });

  it('gives nothing for check_url, unknown and malformed events', () => {
    for (const payload of [
      { EventType: 'check_url' },
      { EventType: 'org_dept_create' },
      { EventType: 'user_add_org' },
    ]) {
      expect(hintsFor(parseDingTalkEvent(payload)!)).toEqual([]);
    }
  });
});
