/**
 * Runs one invocation the way the worker does: a fresh InvocationContext, the handler called as
 * `handler(triggerInput, context)`, "Executing/Executed" lines in the host log, and every invocation tracked so a
 * stopping host can wait for the ones still running.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { InvocationContext, type EffectiveFunctionOptions, type TriggerMetadata } from '@azure/functions';
import type { RegisteredFunction } from './functions-core';
import { toHostLogLevel, type HostLog } from './log';

export interface InvocationRequest {
  reason: string;
  triggerMetadata?: TriggerMetadata;
  invocationId?: string;
}

export class FunctionInvoker {
  readonly #running = new Set<Promise<unknown>>();

  constructor(private readonly log: HostLog) {}

  get runningCount(): number {
    return this.#running.size;
  }

  invoke(fn: RegisteredFunction, input: unknown, request: InvocationRequest): Promise<unknown> {
    const run = this.#run(fn, input, request);
    const tracked = run.then(
      () => undefined,
      () => undefined,
    );
    this.#running.add(tracked);
    void tracked.then(() => this.#running.delete(tracked));
    return run;
  }

  /** Resolves true when every invocation finished, false if `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.#running.size > 0) {
        const settled = await Promise.race([
          Promise.all([...this.#running]).then(() => true as const),
          timedOut,
        ]);
        if (!settled) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(fn: RegisteredFunction, input: unknown, request: InvocationRequest): Promise<unknown> {
    const invocationId = request.invocationId ?? randomUUID();
    let done = false;
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      triggerMetadata: request.triggerMetadata,
      options: effectiveOptionsOf(fn),
      logHandler: (level, ...args) => {
        if (done) {
          this.log.write({
            level: 'warning',
            category: 'system',
            functionName: fn.name,
            invocationId,
            message:
              "Warning: Unexpected call to 'log' on the context object after function execution has completed. " +
              `Please check for asynchronous calls that are not awaited. Function name: ${fn.name}. Invocation Id: ${invocationId}.`,
          });
        }
        this.log.write({
          level: toHostLogLevel(level),
          category: 'function',
          functionName: fn.name,
          invocationId,
          message: format(...args),
        });
      },
    });
    const started = Date.now();
    this.log.write({
      level: 'information',
      category: 'host',
      functionName: fn.name,
      invocationId,
      message: `Executing 'Functions.${fn.name}' (Reason='${request.reason}', Id=${invocationId})`,
    });
    try {
      const result = await fn.handler(input, context);
      this.#executed(fn, invocationId, 'Succeeded', started);
      return result;
    } catch (error) {
      this.#executed(fn, invocationId, 'Failed', started);
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.log.write({
        level: 'error',
        category: 'host',
        functionName: fn.name,
        invocationId,
        message: `Executed 'Functions.${fn.name}' failed: ${detail}`,
      });
      throw error;
    } finally {
      done = true;
    }
  }

  #executed(fn: RegisteredFunction, invocationId: string, outcome: string, started: number): void {
    this.log.write({
      level: outcome === 'Succeeded' ? 'information' : 'error',
      category: 'host',
      functionName: fn.name,
      invocationId,
      message: `Executed 'Functions.${fn.name}' (${outcome}, Id=${invocationId}, Duration=${Date.now() - started}ms)`,
    });
  }
}

/** What `context.options` holds in Azure (library fromRpcBindings): the bindings, each with its name. */
export function effectiveOptionsOf(fn: RegisteredFunction): EffectiveFunctionOptions {
  const options = { trigger: undefined, return: undefined, extraInputs: [], extraOutputs: [] } as unknown as {
    trigger: unknown;
    return: unknown;
    extraInputs: unknown[];
    extraOutputs: unknown[];
  };
  for (const [name, binding] of Object.entries(fn.bindings)) {
    const named = { ...binding, name };
    if (/trigger$/i.test(binding.type)) options.trigger = named;
    else if (name === '$return') options.return = named;
    else if (binding.direction === 'in') options.extraInputs.push(named);
    else if (binding.direction === 'out') options.extraOutputs.push(named);
  }
  return options as EffectiveFunctionOptions;
}
