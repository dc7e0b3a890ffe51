import type { PlannedCadence } from '../../shared/app/pipeline/poll-cadence';
import { planBackgroundBudget } from '../../shared/connectors/dingtalk/budget-plan';
import type { TodoContactKind, TodoContactSide } from '../fakes/todo-contact-operations';
import { round } from '../support/stats';
import type { IdleKind } from './todo-contacts-costs';

/** The month poll-cadence.ts counts a plan's calls per user in. */
const MONTH_MS = 30 * 86_400_000;
/** The share of the quota the governor keeps for push-driven work (MonthlyBudgetGovernor's default). */
const RESERVE_SHARE = 0.2;
const STANDARD_EDITION_QUOTA = 5000;
const ORG_SIZES = [100, 1000, 10_000];

export interface GovernedInterval {
  users: number;
  /** Metered calls one poll costs the org at that size (contacts: one roster refresh for everyone). */
  callsPerPoll: number;
  /** The interval the governor would plan; null while paused (the allowance cannot pay for one poll). */
  intervalHours: number | null;
  callsPerUserPerMonth: number;
}

export interface MonthlyCalls {
  /** The plan in force during the run (services.cadence.current()), made at the quota of the run. */
  plan: {
    intervalMs: number;
    paused: boolean;
    callsPerUserPerMonth: number;
    /** The organisation's size as the last pairing run counted it, and the size the plan used (at least 1). */
    knownPairs: number | undefined;
    pairsPlannedFor: number;
  } | null;
  /** From the idle polls measured here: metered calls per user per poll of each side × polls a month. */
  measured: {
    dingtalkCallsPerIdlePoll: Record<TodoContactSide, number>;
    pollsPerMonth: Record<TodoContactSide, number>;
    callsPerUserPerMonth: number;
  };
  /**
   * The standard edition's quota (5,000 calls a month, 20% kept for push-driven work), at the start of a 30-day
   * month with nothing used, this kind alone: the interval the governor would plan for the org's size.
   */
  standardEdition: { quota: number; reserveShare: number; byUsers: GovernedInterval[]; assumption: string };
}

/**
 * What the poll cadence costs a month in DingTalk's metered calls: the plan's own figure, the same from the idle
 * costs measured here, and what the governor would choose on the standard edition's quota for larger orgs.
 */
export function monthlyCalls(
  kind: TodoContactKind,
  plans: PlannedCadence[],
  pairs: number | undefined,
  intervals: Record<TodoContactSide, number>,
  idle: IdleKind,
  contactsPerUser: number,
): MonthlyCalls {
  const plan = plans.find((p) => p.kind === kind);
  // Contacts: each user's share of the one refresh per interval that serves every user's poll.
  const perPoll: Record<TodoContactSide, number> = {
    dingtalk: idle.roster ? idle.roster.perIdleUser.dingtalkMetered : idle.dingtalk.dingtalkMetered,
    outlook: idle.outlook.dingtalkMetered,
  };
  const pollsPerMonth = {
    dingtalk: MONTH_MS / intervals.dingtalk,
    outlook: MONTH_MS / intervals.outlook,
  };
  const measured = perPoll.dingtalk * pollsPerMonth.dingtalk + perPoll.outlook * pollsPerMonth.outlook;

  const byUsers = ORG_SIZES.map((users): GovernedInterval => {
    const callsPerPoll =
      kind === 'contact' ? rosterCalls(users * contactsPerUser) : idle.dingtalk.dingtalkMetered;
    const folders = kind === 'contact' ? 1 : users;
    // A poll that cost no metered call needs no pacing.
    if (callsPerPoll <= 0)
      return {
        users,
        callsPerPoll: 0,
        intervalHours: round(intervals.dingtalk / 3_600_000, 2),
        callsPerUserPerMonth: 0,
      };
    const governed = planBackgroundBudget({
      monthlyQuota: STANDARD_EDITION_QUOTA,
      usedThisMonth: 0,
      msLeftInMonth: MONTH_MS,
      folders,
      callsPerBackgroundPull: callsPerPoll,
      callsPerFirstSync: callsPerPoll,
      reserveShare: RESERVE_SHARE,
      minimumIntervalMs: intervals.dingtalk,
    });
    const intervalMs = governed.pauseBackground
      ? Infinity
      : Math.max(intervals.dingtalk, governed.backgroundIntervalMs);
    return {
      users,
      callsPerPoll: round(callsPerPoll, 2),
      intervalHours: Number.isFinite(intervalMs) ? round(intervalMs / 3_600_000, 2) : null,
      callsPerUserPerMonth: Number.isFinite(intervalMs)
        ? round(((MONTH_MS / intervalMs) * callsPerPoll * folders) / users, 2)
        : 0,
    };
  });
  return {
    plan: plan
      ? {
          intervalMs: plan.intervalMs,
          paused: plan.paused,
          callsPerUserPerMonth: round(plan.callsPerUserPerMonth, 1),
          knownPairs: pairs,
          pairsPlannedFor: Math.max(1, pairs ?? 1),
        }
      : null,
    measured: {
      dingtalkCallsPerIdlePoll: perPoll,
      pollsPerMonth,
      callsPerUserPerMonth: round(measured, 1),
    },
    standardEdition: {
      quota: STANDARD_EDITION_QUOTA,
      reserveShare: RESERVE_SHARE,
      byUsers,
      assumption:
        kind === 'contact'
          ? `one roster refresh per interval for the whole org, ${contactsPerUser} external contacts per user ` +
            '(as in the bench), 100 a call plus one when the count is a multiple of 100'
          : 'one DingTalk to-do poll per user per interval, at the metered calls an idle poll cost here',
    },
  };
}

/** Calls one listing of the org's external contacts takes: 100 a page, and a last page shorter than 100. */
function rosterCalls(contacts: number): number {
  return Math.floor(contacts / 100) + 1;
}
