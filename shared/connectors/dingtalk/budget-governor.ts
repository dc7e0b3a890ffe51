import { systemClock, type Clock } from '../../platform/clock';
import type { CallPriority } from '../../sync/types';
import { type BudgetPlan, type BudgetPlanInput, planBackgroundBudget, reserveOf } from './budget-plan';
import { chinaMonthOf, nextChinaMonthStart } from './china-month';
import { QuotaExhaustedError } from './errors';

/**
 * Keeps metered DingTalk calls inside the org's monthly quota (standard edition: 5,000). Work driven by a push
 * (a callback said something changed) may spend the whole quota; background work (polls, sweeps, first syncs)
 * stops at quota − reserve, so pushes still get through late in the month. `plan` tells background work how to pace
 * itself so that it rarely meets that wall (budget-plan.ts).
 */

/** The share of the month's quota kept for push-driven work unless the options say otherwise. */
export const DEFAULT_RESERVE_SHARE = 0.2;

/** Which allowance a call is charged to: the caller says so with each call (UserRef.priority). */
export type BudgetPriority = CallPriority;

/** Where the month's count lives. Several Function instances share one, so the check-and-add is the store's job. */
export interface CallCounterStore {
  get(month: string): Promise<number>;
  /** Adds `calls` unless the count would exceed `limit`; answers whether it added. Must be atomic per month. */
  tryAdd(month: string, calls: number, limit: number): Promise<boolean>;
  /** Raises the count to at least `value` (DingTalk itself said the quota is spent). */
  raiseTo(month: string, value: number): Promise<void>;
}

export class InMemoryCallCounterStore implements CallCounterStore {
  private readonly counts = new Map<string, number>();

  async get(month: string): Promise<number> {
    return this.counts.get(month) ?? 0;
  }

  async tryAdd(month: string, calls: number, limit: number): Promise<boolean> {
    const used = this.counts.get(month) ?? 0;
    if (used + calls > limit) return false;
    this.counts.set(month, used + calls);
    return true;
  }

  async raiseTo(month: string, value: number): Promise<void> {
    this.counts.set(month, Math.max(value, this.counts.get(month) ?? 0));
  }
}

export interface BudgetStatus {
  month: string;
  quota: number;
  used: number;
  /** Calls left for push-driven work. */
  remaining: number;
  /** Calls left for background work (remaining minus the reserve). */
  backgroundRemaining: number;
  reserve: number;
}

export interface BudgetGovernorOptions {
  monthlyQuota: number;
  /** Share of the quota only push-driven work may use (default 0.2). */
  reserveShare?: number;
  store?: CallCounterStore;
  clock?: Clock;
}

/** What the caller knows about its background work; the governor adds the quota, the count and the date. */
export type BackgroundWork = Pick<
  BudgetPlanInput,
  'folders' | 'callsPerBackgroundPull' | 'callsPerFirstSync' | 'minimumIntervalMs'
>;

export class MonthlyBudgetGovernor {
  private readonly quota: number;
  private readonly reserveShare: number;
  private readonly reserve: number;
  private readonly store: CallCounterStore;
  private readonly clock: Clock;

  constructor(options: BudgetGovernorOptions) {
    if (!(options.monthlyQuota > 0))
      throw new Error(`monthlyQuota must be positive, got ${options.monthlyQuota}`);
    const share = options.reserveShare ?? DEFAULT_RESERVE_SHARE;
    if (!(share >= 0 && share < 1)) throw new Error(`reserveShare must be in [0, 1), got ${share}`);
    this.quota = options.monthlyQuota;
    this.reserveShare = share;
    this.reserve = reserveOf(options.monthlyQuota, share);
    this.store = options.store ?? new InMemoryCallCounterStore();
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Counts one metered call, or throws QuotaExhaustedError when the priority's allowance is used up. A call that
   * does not say is background, so forgetting to pass the priority never eats the reserve.
   */
  async consume(api: string, priority: BudgetPriority = 'background'): Promise<void> {
    const now = this.clock.now();
    const month = chinaMonthOf(now);
    const limit = priority === 'push' ? this.quota : this.quota - this.reserve;
    if (await this.store.tryAdd(month, 1, limit)) return;
    throw this.exhausted(
      now,
      `DingTalk monthly budget for ${priority} work is spent (${api}, ${month}, quota ${this.quota})`,
    );
  }

  /** DingTalk answered 90020: whatever we counted, the org's quota is gone for this month. */
  async markExhausted(): Promise<void> {
    await this.store.raiseTo(chinaMonthOf(this.clock.now()), this.quota);
  }

  async status(): Promise<BudgetStatus> {
    const month = chinaMonthOf(this.clock.now());
    const used = await this.store.get(month);
    const remaining = Math.max(0, this.quota - used);
    return {
      month,
      quota: this.quota,
      used,
      remaining,
      backgroundRemaining: Math.max(0, remaining - this.reserve),
      reserve: this.reserve,
    };
  }

  /** How background work should pace itself for the rest of this month (see budget-plan.ts). */
  async plan(work: BackgroundWork): Promise<BudgetPlan> {
    const now = this.clock.now();
    return planBackgroundBudget({
      ...work,
      monthlyQuota: this.quota,
      usedThisMonth: await this.store.get(chinaMonthOf(now)),
      msLeftInMonth: nextChinaMonthStart(now) - now,
      reserveShare: this.reserveShare,
    });
  }

  exhausted(now: number, message: string): QuotaExhaustedError {
    const resumesAt = nextChinaMonthStart(now);
    return new QuotaExhaustedError(message, resumesAt - now, new Date(resumesAt).toISOString());
  }
}
