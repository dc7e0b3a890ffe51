/**
 * What each session received, so tests can assert what a client did and did not send (no CONDSTORE, no MOVE, no
 * SEARCH by criteria). LOGIN passwords and literal data are not kept.
 */

export interface CommandRecord {
  session: number;
  /** The mailbox logged in when the command arrived (for LOGIN: the name being logged in). */
  email?: string;
  tag: string;
  /** Upper case, `UID ` prefix included: `UID FETCH`. */
  command: string;
  /** The line as sent, literals shown as `{n}`, a LOGIN password as `***`. */
  line: string;
  at: number;
}

export class CommandLog {
  private records: CommandRecord[] = [];

  constructor(private readonly max = 20_000) {}

  add(record: CommandRecord): void {
    this.records.push(record);
    if (this.records.length > this.max) this.records.splice(0, this.records.length - this.max);
  }

  list(filter: { email?: string; session?: number } = {}): CommandRecord[] {
    return this.records.filter(
      (r) =>
        (filter.email === undefined || r.email?.toLowerCase() === filter.email.toLowerCase()) &&
        (filter.session === undefined || r.session === filter.session),
    );
  }

  clear(): void {
    this.records = [];
  }
}
