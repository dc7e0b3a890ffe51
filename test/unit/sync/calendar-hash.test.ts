import { calendarContentHash } from '../../../shared/sync/calendar-hash';
import { calendarEvent } from '../../support/calendar-event';

describe('calendarContentHash', () => {
  test('the same meeting read from either side hashes alike, whatever ids and one-way fields each side holds', () => {
    const fromOutlook = calendarEvent({
      subject: 'Weekly',
      iCalUid: '040000008200E00074C5B7101A82E008',
      seriesMasterId: 'AAMkAG-outlook-master',
      organizerEmail: 'alice@contoso.com',
      attendees: [{ email: 'client@fabrikam.com', optional: false, response: 'accepted' }],
    });
    const fromDingTalk = calendarEvent({
      subject: 'Weekly',
      seriesMasterId: 'dingtalk-master-1',
      attendees: [],
    });
    expect(calendarContentHash(fromOutlook)).toBe(calendarContentHash(fromDingTalk));
  });

  test.each([
    ['subject', { subject: 'Other' }],
    ['body', { body: 'agenda' }],
    ['location', { location: 'Room 2' }],
    ['start', { start: { local: '2026-11-23T09:00:00', timeZone: 'Asia/Shanghai' } }],
    ['time zone', { start: { local: '2026-11-23T09:30:00', timeZone: 'Europe/London' } }],
    ['cancellation', { isCancelled: true }],
    ['reminder', { reminderMinutes: 15 }],
    ['meeting link', { onlineMeetingUrl: 'https://teams.example/join' }],
    ['all-day', { isAllDay: true }],
  ])('a change of %s changes the hash', (_field, change) => {
    expect(calendarContentHash(calendarEvent(change))).not.toBe(calendarContentHash(calendarEvent()));
  });
});
