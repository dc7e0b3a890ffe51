import type { Clock } from '../../shared/platform/clock';

/**
 * DingTalk's limits as the fake enforces them (DingTalk's documentation): 20 calls per second per app per API,
 * counted over any sliding second of real time, and a monthly org quota on metered APIs, counted per China-time
 * month of the fake's clock. Calls refused for either reason are not counted.
 */

export class QpsWindow {
  private readonly arrivals = new Map<string, number[]>();

  constructor(
    public limit: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Books the call and answers true, or answers false when the API already had `limit` calls this second. */
  admit(key: string): boolean {
    const now = this.now();
    const recent = (this.arrivals.get(key) ?? []).filter((t) => t > now - 1000);
    if (recent.length >= this.limit) {
      this.arrivals.set(key, recent);
      return false;
    }
    recent.push(now);
    this.arrivals.set(key, recent);
    return true;
  }
}

/** Contacts, token and identity APIs are exempt ("获取访问凭证接口、身份验证接口、通讯录接口等"); the rest is metered. */
export function isMetered(template: string): boolean {
  return !/^\/(gettoken|v1\.0\/oauth2\/|topapi\/(v2\/)?(user|department)\/)/.test(template);
}

export class MonthlyMeter {
  private readonly used = new Map<string, number>();
  readonly byApi = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    public quota: number,
  ) {}

  month(): string {
    return new Date(this.clock.now() + 8 * 3600_000).toISOString().slice(0, 7);
  }

  usedThisMonth(): number {
    return this.used.get(this.month()) ?? 0;
  }

  setUsedThisMonth(value: number): void {
    this.used.set(this.month(), value);
  }

  /** Counts a metered call, or answers false when the org's quota for the month is spent. */
  admit(api: string): boolean {
    const used = this.usedThisMonth();
    if (used >= this.quota) return false;
    this.used.set(this.month(), used + 1);
    this.byApi.set(api, (this.byApi.get(api) ?? 0) + 1);
    return true;
  }
}
