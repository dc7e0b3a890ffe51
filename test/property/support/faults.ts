import { TransientRemoteError, type Kind, type Side, type SideAdapter } from '../../../shared/sync/types';

/** The process died mid-step. Thrown by a port; the test then forgets everything not persisted. */
export class SimulatedCrash extends Error {
  constructor(step: string) {
    super(`simulated crash at ${step}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * "-before" faults stop a call before its effect; "-after" ones let the effect happen and then fail, like a create
 * that reached Graph but whose response was lost (a 504 that still created the event).
 */
export type FaultKind = 'crash-before' | 'crash-after' | 'throttle' | 'server-error' | 'timeout-after';

export interface Fault {
  /** 1-based index of the port call (adapters and stores alike) that fails... */
  atCall?: number;
  /** ...or a call of this step, e.g. "outlook.create", "links.save", "intents.remove"... */
  atStep?: string;
  /** ...the n-th one (default: the first). */
  occurrence?: number;
  kind: FaultKind;
}

export class FaultPlan {
  private calls = 0;
  private stepCalls = 0;
  private fault: Fault | undefined;
  /** Steps in call order since the last arm(): lets tests assert exactly which calls a pull made. */
  readonly steps: string[] = [];

  arm(fault: Fault | undefined): void {
    this.calls = 0;
    this.stepCalls = 0;
    this.fault = fault;
    this.steps.length = 0;
  }

  /** Stops injecting; keeps the steps of the pull that just ended for inspection. */
  disarm(): void {
    this.fault = undefined;
  }

  around<T>(step: string, effect: () => T): T {
    this.calls += 1;
    this.steps.push(step);
    if (this.fault?.atStep === step) this.stepCalls += 1;
    const due =
      this.fault?.atCall === this.calls ||
      (this.fault?.atStep === step && this.stepCalls === (this.fault.occurrence ?? 1));
    const fault = due ? this.fault : undefined;
    if (fault) this.fault = undefined;
    if (fault?.kind === 'crash-before') throw new SimulatedCrash(step);
    if (fault?.kind === 'throttle') throw new TransientRemoteError(`429 at ${step}`, 1000, 429);
    if (fault?.kind === 'server-error') throw new TransientRemoteError(`503 at ${step}`, undefined, 503);
    const result = effect();
    if (fault?.kind === 'crash-after') throw new SimulatedCrash(`${step} (after its effect)`);
    if (fault?.kind === 'timeout-after')
      throw new TransientRemoteError(`timeout at ${step} (after its effect)`);
    return result;
  }
}

/**
 * The stores' FaultPlan, also counting the adapters' calls, for worlds that wrap real adapters: `atCall` numbers
 * adapter and store calls alike, `atStep` names one ("dingtalk.create"). An adapter call is awaited before an
 * "-after" fault fires, so its effect has really reached the server.
 */
export class AdapterFaultPlan extends FaultPlan {
  private count = 0;
  private stepCount = 0;
  private armed: Fault | undefined;
  /** Faults that actually fired, by kind, since the plan was made. */
  readonly fired: Record<string, number> = {};

  override arm(fault: Fault | undefined): void {
    this.count = 0;
    this.stepCount = 0;
    this.armed = fault;
    this.steps.length = 0;
  }

  override disarm(): void {
    this.armed = undefined;
  }

  override around<T>(step: string, effect: () => T): T {
    const fault = this.due(step);
    this.before(step, fault);
    const result = effect();
    this.after(step, fault);
    return result;
  }

  async aroundAsync<T>(step: string, effect: () => Promise<T>): Promise<T> {
    const fault = this.due(step);
    this.before(step, fault);
    const result = await effect();
    this.after(step, fault);
    return result;
  }

  firedTotal(): number {
    return Object.values(this.fired).reduce((a, b) => a + b, 0);
  }

  private due(step: string): Fault | undefined {
    this.count += 1;
    this.steps.push(step);
    if (this.armed?.atStep === step) this.stepCount += 1;
    const due =
      this.armed?.atCall === this.count ||
      (this.armed?.atStep === step && this.stepCount === (this.armed.occurrence ?? 1));
    const fault = due ? this.armed : undefined;
    if (fault) {
      this.armed = undefined;
      this.fired[fault.kind] = (this.fired[fault.kind] ?? 0) + 1;
    }
    return fault;
  }

  private before(step: string, fault: Fault | undefined): void {
    if (fault?.kind === 'crash-before') throw new SimulatedCrash(step);
    if (fault?.kind === 'throttle') throw new TransientRemoteError(`429 at ${step}`, 1000, 429);
    if (fault?.kind === 'server-error') throw new TransientRemoteError(`503 at ${step}`, undefined, 503);
  }

  private after(step: string, fault: Fault | undefined): void {
    if (fault?.kind === 'crash-after') throw new SimulatedCrash(`${step} (after its effect)`);
    if (fault?.kind === 'timeout-after')
      throw new TransientRemoteError(`timeout at ${step} (after its effect)`);
  }
}

/** A shared logical clock: every remote change gets a distinct, increasing modifiedAt. */
export class LogicalClock {
  private ticks = 0;
  private readonly base = Date.parse('2026-11-22T08:00:00Z');

  tick(): string {
    this.ticks += 1;
    return new Date(this.base + this.ticks * 1000).toISOString();
  }

  now(): number {
    return this.base + this.ticks * 1000;
  }
}

/** Writes an adapter completed (quiet means a round adds none), and, when asked, every update that took effect. */
export interface WriteCounter {
  writes: number;
  updated?: Array<{ side: Side; id: string }>;
}

/**
 * Every adapter call through the plan, so a crash can fall before or after any of them; writes are counted. The
 * adapter is asked for anew at each call, so a simulated restart can swap it.
 */
export function faultyAdapter<P>(
  adapter: () => SideAdapter<P>,
  side: Side,
  kind: Kind,
  plan: AdapterFaultPlan,
  counter: WriteCounter,
): SideAdapter<P> {
  const write = async <T>(step: string, call: () => Promise<T>): Promise<T> => {
    const result = await plan.aroundAsync(step, call);
    counter.writes += 1;
    return result;
  };
  return {
    side,
    kind,
    listChanges: (user, folder, cursor) =>
      plan.aroundAsync(`${side}.listChanges`, () => adapter().listChanges(user, folder, cursor)),
    get: (user, id) => plan.aroundAsync(`${side}.get`, () => adapter().get(user, id)),
    findByOriginKey: (user, key) =>
      plan.aroundAsync(`${side}.findByOriginKey`, () => adapter().findByOriginKey(user, key)),
    findRenumbered: (user, id, keys) =>
      plan.aroundAsync(`${side}.findRenumbered`, async () => adapter().findRenumbered?.(user, id, keys)),
    create: (user, projection, key) => write(`${side}.create`, () => adapter().create(user, projection, key)),
    update: (user, id, projection, expected) =>
      write(`${side}.update`, async () => {
        const updated = await adapter().update(user, id, projection, expected);
        counter.updated?.push({ side, id });
        return updated;
      }),
    delete: (user, id, expected) => write(`${side}.delete`, () => adapter().delete(user, id, expected)),
    // In memory only (no remote call): nothing to inject.
    cursorWithOwnView: (user, folder, cursor) =>
      adapter().cursorWithOwnView?.(user, folder, cursor) ?? cursor,
  };
}
