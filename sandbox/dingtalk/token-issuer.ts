import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/platform/clock';

/**
 * App access tokens. As DingTalk documents: asking again while a token is valid returns the same token with its
 * lifetime extended; after expiry a new one is issued (DingTalk's documentation).
 */
export type TokenCheck = 'ok' | 'invalid' | 'expired';

export class TokenIssuer {
  private current: { value: string; expiresAt: number } | undefined;
  private readonly expired = new Set<string>();

  constructor(
    private readonly clock: Clock,
    public lifetimeSeconds: number,
  ) {}

  issue(): { token: string; expiresIn: number } {
    const now = this.clock.now();
    if (!this.current || now >= this.current.expiresAt) {
      if (this.current) this.expired.add(this.current.value);
      this.current = { value: randomBytes(16).toString('hex'), expiresAt: 0 };
    }
    this.current.expiresAt = now + this.lifetimeSeconds * 1000;
    return { token: this.current.value, expiresIn: this.lifetimeSeconds };
  }

  check(token: string | undefined): TokenCheck {
    if (!token) return 'invalid';
    if (this.current?.value === token) return this.clock.now() < this.current.expiresAt ? 'ok' : 'expired';
    return this.expired.has(token) ? 'expired' : 'invalid';
  }

  expireAll(): void {
    if (this.current) this.expired.add(this.current.value);
    this.current = undefined;
  }
}
