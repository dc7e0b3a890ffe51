import type { Side } from '../../sync/types';
import {
  LeaseLostError,
  type LinkWrite,
  type PairState,
  type PairStateStore,
  type SideState,
} from '../../store/pair-state-store';

/** A lease long enough for a big first sync; a crashed worker's lease simply runs out. */
export const LEASE_TTL_MS = 5 * 60_000;

/**
 * The lease protocol on the (pair, kind) state row. A worker reads the row, lists and reconciles, and takes the
 * lease only with its first remote write, unless that is an update or delete the service itself refuses once the
 * item moved on (pull-journal.ts): the claim is a merge conditioned on the etag it read, so of two workers that
 * read the same row one claims and the other gets LeaseLostError before it has written anything remote. Every
 * later write (intents, links, the new cursor) is conditioned on the etag of the one before, so a worker that
 * lost its lease writes nothing more. A pull that writes nothing remote never claims: its commit is the one
 * conditional write.
 *
 * Operations: claim 1 (with the intents and links buffered so far) · commit 1 per 99 links · release 1.
 */
export class PairLease {
  private held = false;

  constructor(
    private readonly store: PairStateStore,
    private current: PairState,
    readonly owner: string,
    private readonly now: () => number,
  ) {}

  get state(): PairState {
    return this.current;
  }

  get holds(): boolean {
    return this.held;
  }

  /** Another worker holds a lease that has not run out. */
  heldByOther(): boolean {
    const s = this.current;
    return !!s.leaseOwner && s.leaseOwner !== this.owner && (s.leaseUntil ?? 0) > this.now();
  }

  /** Takes (or renews) the lease and makes the intents and links given durable with it. */
  async claim(links: LinkWrite[] = []): Promise<void> {
    if (this.heldByOther()) throw new LeaseLostError(`pair ${this.current.pairId}: leased by another worker`);
    this.current = await this.store.write(this.leased(true), links);
    this.held = true;
  }

  /** Stores one side's outcome with the links; keeps the lease when more work for this pair follows at once. */
  async commit(side: Side, outcome: SideState, links: LinkWrite[], keepLease: boolean): Promise<void> {
    if (this.heldByOther()) throw new LeaseLostError(`pair ${this.current.pairId}: leased by another worker`);
    const next = this.leased(keepLease);
    next.sides = { ...next.sides, [side]: { ...next.sides[side], ...outcome } };
    this.current = await this.store.write(next, links);
    this.held = keepLease;
  }

  /** Lets go of a lease kept by the last commit. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.current = await this.store.write(this.leased(false));
    this.held = false;
  }

  /** Fields of one side the state row will carry with the next write (the first sync's progress). */
  note(side: Side, fields: SideState): void {
    const sides = { ...this.current.sides, [side]: { ...this.current.sides[side], ...fields } };
    this.current = { ...this.current, sides };
  }

  /** The audit outbox the state row will carry with the next write (audit-outbox-plan.ts). */
  setAudit(audit: PairState['audit']): void {
    this.current = { ...this.current, audit };
  }

  /** The intents the state row will carry with the next write. */
  setIntents(intents: PairState['intents']): void {
    this.current = { ...this.current, intents };
  }

  private leased(keep: boolean): PairState {
    return keep
      ? { ...this.current, leaseOwner: this.owner, leaseUntil: this.now() + LEASE_TTL_MS }
      : { ...this.current, leaseOwner: undefined, leaseUntil: undefined };
  }
}
