import { reserveOf } from '../../connectors/dingtalk/budget-plan';
import { DEFAULT_RESERVE_SHARE } from '../../connectors/dingtalk/budget-governor';
import { chinaMonthOf, chinaMonthStart, nextChinaMonthStart } from '../../connectors/dingtalk/china-month';

/**
 * The month's metered DingTalk calls as the admin needs them: used so far (the quota table's row of the month, China
 * time), where the month's pace leads by its end, and the quota with the reserve only push-driven work may use (the
 * budget governor's 20 %, budget-governor.ts). One point read.
 */
export interface DingTalkUsage {
  month: string;
  used: number;
  quota: number;
  /** Calls background work leaves for live changes. */
  reserve: number;
  /** used ÷ the share of the month gone; the governor stops background work at quota − reserve whatever it says. */
  projectedAtMonthEnd: number;
  monthEndsAt: number;
}

export async function dingtalkUsage(
  counter: { get(month: string): Promise<number> },
  quota: number,
  now: number,
): Promise<DingTalkUsage> {
  const month = chinaMonthOf(now);
  const used = await counter.get(month);
  const startsAt = chinaMonthStart(now);
  const endsAt = nextChinaMonthStart(now);
  // An hour's floor keeps the first minutes of a month from projecting a handful of calls into thousands.
  const elapsed = Math.max(now - startsAt, 3600_000);
  return {
    month,
    used,
    quota,
    reserve: reserveOf(quota, DEFAULT_RESERVE_SHARE),
    projectedAtMonthEnd: Math.round((used * (endsAt - startsAt)) / elapsed),
    monthEndsAt: endsAt,
  };
}
