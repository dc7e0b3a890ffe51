import { occurrenceDates } from '../../../sandbox/graph/recurrence';

describe("fake Graph's recurrence expansion", () => {
  test('weekly on two days, numbered', () => {
    expect(
      occurrenceDates(
        {
          pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'thursday'] },
          range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 5 },
        },
        '2027-12-31',
      ),
    ).toEqual(['2026-11-23', '2026-11-26', '2026-11-30', '2026-12-03', '2026-12-07']);
  });

  test('every other week counts weeks from firstDayOfWeek', () => {
    expect(
      occurrenceDates(
        {
          pattern: {
            type: 'weekly',
            interval: 2,
            daysOfWeek: ['sunday', 'tuesday'],
            firstDayOfWeek: 'monday',
          },
          range: { type: 'endDate', startDate: '2026-11-24', endDate: '2026-12-13' },
        },
        '2027-12-31',
      ),
    ).toEqual(['2026-11-24', '2026-11-29', '2026-12-08', '2026-12-13']);
  });

  test('monthly and yearly patterns', () => {
    const until = '2027-06-30';
    expect(
      occurrenceDates(
        {
          pattern: { type: 'absoluteMonthly', interval: 2, dayOfMonth: 15 },
          range: { type: 'noEnd', startDate: '2026-12-01' },
        },
        '2027-05-31',
      ),
    ).toEqual(['2026-12-15', '2027-02-15', '2027-04-15']);
    expect(
      occurrenceDates(
        {
          pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['friday'], index: 'last' },
          range: { type: 'numbered', startDate: '2026-11-01', numberOfOccurrences: 3 },
        },
        until,
      ),
    ).toEqual(['2026-11-27', '2026-12-25', '2027-01-29']);
    expect(
      occurrenceDates(
        {
          pattern: {
            type: 'relativeYearly',
            interval: 1,
            daysOfWeek: ['thursday'],
            index: 'fourth',
            month: 11,
          },
          range: { type: 'noEnd', startDate: '2026-01-01' },
        },
        '2028-12-31',
      ),
    ).toEqual(['2026-11-26', '2027-11-25', '2028-11-23']);
    expect(
      occurrenceDates(
        {
          pattern: { type: 'daily', interval: 3 },
          range: { type: 'endDate', startDate: '2026-11-01', endDate: '2026-11-10' },
        },
        until,
      ),
    ).toEqual(['2026-11-01', '2026-11-04', '2026-11-07', '2026-11-10']);
  });
});
