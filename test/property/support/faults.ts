import { TransientRemoteError } from '../../../shared/sync/types';

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
