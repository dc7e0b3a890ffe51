import { runPull, type PullResult } from '../../../shared/sync/pull';
import { PullFailedError } from '../../../shared/sync/pull-errors';
import { canonicalJson } from '../../../shared/sync/stable-hash';
import type { Side, SyncPolicy, UserRef } from '../../../shared/sync/types';
import { TransientRemoteError, otherSide } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock, SimulatedCrash, type Fault } from './faults';
import { MemoryAuditSink, MemoryIntentStore, MemoryLinkStore, withoutList } from './memory-stores';
import { MemorySide } from './memory-side';

/** The synced projection of the model: uid plays iCalUId (never edited), title and body are what users edit. */
export interface Note {
  uid: string;
  title: string;
  body: string;
}

export const noteMatchKeys = (note: Note): string[] => [`uid:${note.uid}`];

export const USER: UserRef = {
  pairId: 'pair-1',
  dingtalkUserId: 'dt-user',
  dingtalkUnionId: 'dt-union',
  entraId: 'entra-1',
  email: 'li.lei@example.com',
};

export const DEFAULT_POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 1,
  dryRun: false,
};

export interface PullOptions {
  fault?: Fault;
  policy?: Partial<SyncPolicy>;
}

export type PullOutcome =
  { result: PullResult; error?: undefined } | { result?: undefined; error: PullFailedError };

/**
 * Both sides, the stores and the stored cursors: everything that survives a crash. A pull is one worker run; it
 * keeps nothing in memory between runs, so a crash is simply a run that threw.
 */
export class World {
  readonly clock = new LogicalClock();
  readonly faults = new FaultPlan();
  readonly sides: Record<Side, MemorySide<Note>>;
  readonly links = new MemoryLinkStore(this.faults);
  readonly intentStore = new MemoryIntentStore(this.faults);
  readonly audit = new MemoryAuditSink(this.faults);
  readonly cursors: Partial<Record<Side, string>> = {};
  policy: SyncPolicy;

  constructor(
    policy: Partial<SyncPolicy> = {},
    private readonly options: { intentsCanList?: boolean; pageSize?: number } = {},
  ) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
    this.sides = {
      dingtalk: new MemorySide<Note>(
        'dingtalk',
        'calendar',
        this.clock,
        this.faults,
        noteMatchKeys,
        options.pageSize,
      ),
      outlook: new MemorySide<Note>(
        'outlook',
        'calendar',
        this.clock,
        this.faults,
        noteMatchKeys,
        options.pageSize,
      ),
    };
  }

  async pull(side: Side, options: PullOptions = {}): Promise<PullOutcome> {
    this.faults.arm(options.fault);
    try {
      const result = await runPull<Note>({
        user: USER,
        pulled: { adapter: this.sides[side], folder: side === 'dingtalk' ? 'primary' : 'calendar' },
        other: { adapter: this.sides[otherSide(side)], folder: side === 'dingtalk' ? 'calendar' : 'primary' },
        cursor: this.cursors[side],
        links: this.links,
        intents: this.options.intentsCanList === false ? withoutList(this.intentStore) : this.intentStore,
        audit: this.audit,
        policy: { ...this.policy, ...options.policy },
        now: () => this.clock.now(),
      });
      if (result.outcome === 'synced') this.cursors[side] = result.cursor;
      return { result };
    } catch (err) {
      if (!(err instanceof PullFailedError)) throw err;
      return { error: err };
    } finally {
      this.faults.disarm();
    }
  }

  /** Fault-free pulls of both sides until a round writes nothing; the number of rounds it took. */
  async quiesce(maxRounds = 6): Promise<number> {
    for (let round = 1; round <= maxRounds; round += 1) {
      const before = this.activity();
      for (const side of ['dingtalk', 'outlook'] as const) {
        const outcome = await this.pull(side, { policy: { dryRun: false, bulkDeleteMaxShare: 1 } });
        if (outcome.error) throw outcome.error.cause;
      }
      if (this.activity() === before) return round;
    }
    throw new Error(`no quiet after ${maxRounds} rounds: the engine keeps writing (a loop?)`);
  }

  /** The port calls of the last pull on one side, minus listings: what a change costs in remote calls. */
  callsOn(side: Side): string[] {
    return this.faults.steps.filter((step) => step.startsWith(`${side}.`) && step !== `${side}.listChanges`);
  }

  /** A failure the faults injected on purpose, as opposed to an engine bug (which must fail the test). */
  static isInjected(error: PullFailedError): boolean {
    return error.cause instanceof SimulatedCrash || error.cause instanceof TransientRemoteError;
  }

  /** Remote writes plus link saves: what a quiet round must not change. */
  activity(): number {
    return this.remoteWrites() * 1_000_000 + this.links.saves;
  }

  remoteWrites(): number {
    return this.sides.dingtalk.writeCount() + this.sides.outlook.writeCount();
  }

  /** Why the two sides are not in sync, or [] when they are. */
  divergences(): string[] {
    const problems: string[] = [];
    const live = {
      dingtalk: new Map(this.sides.dingtalk.liveItems().map((item) => [item.id, item])),
      outlook: new Map(this.sides.outlook.liveItems().map((item) => [item.id, item])),
    };
    const claimed = { dingtalk: new Set<string>(), outlook: new Set<string>() };
    for (const link of this.links.all()) {
      if (link.tombstone) continue;
      const ids = { dingtalk: link.dingtalkId, outlook: link.outlookId };
      for (const side of ['dingtalk', 'outlook'] as const) {
        const id = ids[side];
        if (id === undefined) continue;
        if (!live[side].has(id))
          problems.push(`link ${link.linkId} names ${side} ${id}, which does not exist`);
        claimed[side].add(id);
      }
      if (ids.dingtalk && ids.outlook) {
        const a = live.dingtalk.get(ids.dingtalk)?.projection;
        const b = live.outlook.get(ids.outlook)?.projection;
        if (a && b && canonicalJson(a) !== canonicalJson(b)) {
          problems.push(
            `link ${link.linkId}: ${canonicalJson(a)} on dingtalk, ${canonicalJson(b)} on outlook`,
          );
        }
      } else if (this.policy.deletes !== 'ignore') {
        problems.push(`link ${link.linkId} is detached although deletes propagate`);
      }
    }
    for (const side of ['dingtalk', 'outlook'] as const) {
      for (const id of live[side].keys())
        if (!claimed[side].has(id)) problems.push(`${side} ${id} is in no link`);
      const uids = [...live[side].values()].map((item) => item.projection.uid);
      const twice = uids.filter((uid, index) => uids.indexOf(uid) !== index);
      if (twice.length > 0) problems.push(`duplicates on ${side}: ${twice.join(', ')}`);
    }
    // Without IntentStore.list nothing replays the journal, so an intent whose copy got linked by matching may stay.
    const pending = this.intentStore.all().length;
    if (pending > 0 && this.options.intentsCanList !== false) problems.push(`${pending} intents left`);
    return problems;
  }
}
