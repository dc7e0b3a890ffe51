import { systemClock, type Clock } from '../../platform/clock';
import type { DirectoryUser } from './directory';

/**
 * DingTalk names people by unionId, the canonical model by e-mail. The calendar adapter asks this to translate.
 * Undefined means "not an org member we know", and such people are left out rather than guessed.
 */
export interface AttendeeResolver {
  resolveEmail(unionId: string): Promise<string | undefined>;
  resolveUnionId(email: string): Promise<string | undefined>;
}

/** The address a person is known by on the Microsoft side: the enterprise mailbox first, then the personal one. */
export const preferredEmailOf = (u: Pick<DirectoryUser, 'email' | 'org_email'>): string | undefined =>
  (u.org_email || u.email || undefined)?.toLowerCase();

/** Resolves against a directory snapshot, re-read at most every `maxAgeMs` (contact APIs are not metered). */
export class DirectoryAttendeeResolver implements AttendeeResolver {
  private snapshot: { at: number; byUnionId: Map<string, string>; byEmail: Map<string, string> } | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly listUsers: () => Promise<DirectoryUser[]>,
    private readonly maxAgeMs = 15 * 60_000,
    private readonly clock: Clock = systemClock,
  ) {}

  async resolveEmail(unionId: string): Promise<string | undefined> {
    return (await this.current()).byUnionId.get(unionId);
  }

  async resolveUnionId(email: string): Promise<string | undefined> {
    return (await this.current()).byEmail.get(email.toLowerCase());
  }

  private async current() {
    if (!this.snapshot || this.clock.now() - this.snapshot.at >= this.maxAgeMs) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    return this.snapshot!;
  }

  private async load(): Promise<void> {
    const byUnionId = new Map<string, string>();
    const byEmail = new Map<string, string>();
    for (const user of await this.listUsers()) {
      for (const address of [user.org_email, user.email]) {
        if (address) byEmail.set(address.toLowerCase(), user.unionid);
      }
      const preferred = preferredEmailOf(user);
      if (preferred) byUnionId.set(user.unionid, preferred);
    }
    this.snapshot = { at: this.clock.now(), byUnionId, byEmail };
  }
}

/** A fixed map, for tests and for callers that already hold the pairs. */
export class StaticAttendeeResolver implements AttendeeResolver {
  private readonly byUnionId: Map<string, string>;
  private readonly byEmail: Map<string, string>;

  constructor(pairs: Array<{ unionId: string; email: string }>) {
    this.byUnionId = new Map(pairs.map((p) => [p.unionId, p.email.toLowerCase()]));
    this.byEmail = new Map(pairs.map((p) => [p.email.toLowerCase(), p.unionId]));
  }

  async resolveEmail(unionId: string): Promise<string | undefined> {
    return this.byUnionId.get(unionId);
  }

  async resolveUnionId(email: string): Promise<string | undefined> {
    return this.byEmail.get(email.toLowerCase());
  }
}
