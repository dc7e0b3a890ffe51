import type { CalendarEvent } from '../../shared/sync/calendar-event';

/**
 * A one-off timed CalendarEvent (2026-11-23 09:30–10:30 in Asia/Shanghai, no body, location or attendees), with
 * `overrides` on top. Tests name every value they check in their overrides, so changing these defaults is safe.
 */
export function calendarEvent(overrides: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    subject: 'Meeting',
    body: '',
    location: '',
    isAllDay: false,
    start: { local: '2026-11-23T09:30:00', timeZone: 'Asia/Shanghai' },
    end: { local: '2026-11-23T10:30:00', timeZone: 'Asia/Shanghai' },
    isCancelled: false,
    attendees: [],
    ...overrides,
  };
}
