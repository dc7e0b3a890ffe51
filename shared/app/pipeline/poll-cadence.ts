import type { BackgroundWork, BudgetPlan } from '../../connectors/dingtalk';
import type { Kind, Side } from '../../sync/types';

/**
 * How often each polled side of a kind is pulled. Outlook's To Do and contact folders, and DingTalk's IMAP
 * mailboxes, cost no metered call: they are polled at the configured interval. DingTalk's to-do and external-contact
 * APIs are metered against the organisation's monthly quota (5,000 calls on the standard edition), so their polls
 * run no faster than the budget governor's plan allows for the organisation's size: the configured interval, or
 * longer. The plan is re-made every few minutes from what is left of the month; it and the DingTalk sweep each
 * plan on what is left, so together they slow down as the allowance shrinks rather than run into the reserve that
 * live changes keep (budget-plan.ts).
 */
export interface PollCadenceDeps {
  /** The configured interval of a polled side; undefined when the side pushes its changes. */
  configuredMs(kind: Kind, side: Side): number | undefined;
  /** The DingTalk budget; without one (tests), DingTalk polls run at the configured interval. */
  budget?: { plan(work: BackgroundWork): Promise<BudgetPlan> };
  /** Metered DingTalk calls one poll of the kind costs the organisation (undefined: the side is not metered). */
  meteredCallsPerPoll(kind: Kind): number | undefined;
  /** How many folders of the kind are polled on DingTalk: the pairs, or 1 for a listing all users share. */
  meteredFolders(kind: Kind, pairs: number): number;
  /** The number of pairs the last pairing run planned (its progress note); undefined before the first run. */
  pairs(): Promise<number | undefined>;
  now(): number;
  /** How long a plan is used before it is made again. */
  replanMs?: number;
  /** Told each plan as it is made (the app logs it for the admin). */
  onPlan?(plan: PlannedCadence): void;
}

export interface PlannedCadence {
  kind: Kind;
  intervalMs: number;
  /** True while the month's background allowance is spent: polls wait for the month to turn. */
  paused: boolean;
  /** Metered calls a month each user's polls cost at this interval (the figure the admin sees). */
  callsPerUserPerMonth: number;
  plannedAt: number;
}

/** What the worker and the admin's views need of a cadence. */
export interface PollPace {
  intervalMs(kind: Kind, side: Side): Promise<number | undefined>;
  current(): PlannedCadence[];
}

const DEFAULT_REPLAN_MS = 10 * 60_000;
const MONTH_MS = 30 * 86_400_000;

export class PollCadence implements PollPace {
  private readonly plans = new Map<Kind, PlannedCadence>();
  private readonly planning = new Map<Kind, Promise<PlannedCadence>>();

  constructor(private readonly deps: PollCadenceDeps) {}

  /** The interval until this side's next poll; undefined when the side is not polled. */
  async intervalMs(kind: Kind, side: Side): Promise<number | undefined> {
    const configured = this.deps.configuredMs(kind, side);
    if (configured === undefined) return undefined;
    if (side !== 'dingtalk' || this.deps.meteredCallsPerPoll(kind) === undefined || !this.deps.budget) {
      return configured;
    }
    return (await this.plan(kind, configured)).intervalMs;
  }

  /** The plans in force, for the admin (logs and the health endpoint). */
  current(): PlannedCadence[] {
    return [...this.plans.values()];
  }

  private async plan(kind: Kind, configured: number): Promise<PlannedCadence> {
    const known = this.plans.get(kind);
    const replanMs = this.deps.replanMs ?? DEFAULT_REPLAN_MS;
    if (known && this.deps.now() - known.plannedAt < replanMs) return known;
    let inFlight = this.planning.get(kind);
    if (!inFlight) {
      inFlight = this.makePlan(kind, configured).finally(() => this.planning.delete(kind));
      this.planning.set(kind, inFlight);
    }
    try {
      const made = await inFlight;
      if (this.plans.get(kind) !== made) this.deps.onPlan?.(made);
      this.plans.set(kind, made);
      return made;
    } catch {
      // The counter could not be read: keep the last plan, or poll at the configured pace until it can be.
      return known ?? { kind, intervalMs: configured, paused: false, callsPerUserPerMonth: 0, plannedAt: 0 };
    }
  }

  private async makePlan(kind: Kind, configured: number): Promise<PlannedCadence> {
    const pairs = Math.max(1, (await this.deps.pairs()) ?? 1);
    const calls = this.deps.meteredCallsPerPoll(kind)!;
    const folders = Math.max(1, this.deps.meteredFolders(kind, pairs));
    const plan = await this.deps.budget!.plan({
      folders,
      callsPerBackgroundPull: calls,
      callsPerFirstSync: calls,
      minimumIntervalMs: configured,
    });
    // While paused the plan's interval is infinite; the poll chain waits until the month turns, at most a week
    // (a queue message's longest delay), then asks again.
    const intervalMs = plan.pauseBackground
      ? Math.max(configured, plan.backgroundResumesInMs)
      : Math.max(configured, plan.backgroundIntervalMs);
    return {
      kind,
      intervalMs,
      paused: plan.pauseBackground,
      callsPerUserPerMonth: plan.pauseBackground ? 0 : ((MONTH_MS / intervalMs) * calls * folders) / pairs,
      plannedAt: this.deps.now(),
    };
  }
}
