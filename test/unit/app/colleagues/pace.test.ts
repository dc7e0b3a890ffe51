import {
  CALLS_PER_MAILBOX_PER_RUN,
  MAILBOXES_PER_RUN,
  MIN_RUN_GAP_MS,
  firstFillEstimate,
} from '../../../../shared/app/colleagues/pace';

describe('the colleagues folder pace', () => {
  test('stays at about a tenth of Outlook’s 10,000 requests per mailbox per 10 minutes', () => {
    const runsPerTenMinutes = Math.ceil(600_000 / MIN_RUN_GAP_MS);
    expect(CALLS_PER_MAILBOX_PER_RUN * runsPerTenMinutes).toBeLessThanOrEqual(1_100);
    expect(CALLS_PER_MAILBOX_PER_RUN * runsPerTenMinutes).toBeGreaterThanOrEqual(1_000);
  });

  test('a first fill run by run: each run lists the folder, then creates with what is left of its budget', () => {
    expect(firstFillEstimate(1, 0)).toEqual({
      callsPerMailbox: 1,
      runsPerMailbox: 1,
      organisationMinutes: 1,
    });
    expect(firstFillEstimate(1, 99)).toMatchObject({ callsPerMailbox: 100, runsPerMailbox: 1 });
    // Listing pages 1, 1, 2, 3, 4, 5 (16 in all) beside 99, 99, 98, 97, 96 and the last 11 creates.
    expect(firstFillEstimate(1, 500)).toMatchObject({ callsPerMailbox: 516, runsPerMailbox: 6 });
    expect(firstFillEstimate(1, 1000)).toMatchObject({ callsPerMailbox: 1056, runsPerMailbox: 11 });
  });

  test('1,000 users × 1,000 colleagues: eleven minutes a mailbox, about four and a half hours in all', () => {
    const estimate = firstFillEstimate(1000, 1000);
    expect(estimate.organisationMinutes).toBe(Math.ceil((1000 * 11) / MAILBOXES_PER_RUN));
    expect(estimate.organisationMinutes).toBe(275);
    // At the default CONTACT_COLLEAGUES_MAX of 500: six minutes a mailbox, two and a half hours.
    expect(firstFillEstimate(1000, 500).organisationMinutes).toBe(150);
  });
});
