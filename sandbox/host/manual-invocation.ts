/**
 * Runs that no trigger caused, and their trigger input: the admin API (`{"input": "..."}`) or `invoke()` from code.
 * Timers get a Timer that is not past due and has no schedule status; queue functions get the input as the
 * message, with metadata for a first delivery.
 */
import { randomUUID } from 'node:crypto';
import { HttpRequest, type Timer } from '@azure/functions';
import { triggerBindingOf, triggerKindOf } from './describe';
import type { RegisteredFunction } from './functions-core';
import { toHttpResponse } from './http/node-response';
import type { HttpRoute } from './http/route-table';
import type { FunctionInvoker } from './invoker';
import { triggerInputOf } from './queues/queue-message';

export const MANUAL_REASON = 'This function was programmatically called via the host APIs.';

export interface ManualInput {
  input: unknown;
  triggerMetadata?: Record<string, unknown>;
}

export function manualTimer(overrides?: Partial<Timer>): Timer {
  return {
    isPastDue: false,
    schedule: { adjustForDST: true },
    scheduleStatus: null as unknown as Timer['scheduleStatus'],
    ...overrides,
  };
}

/** `input` comes parsed from code, or as the admin API's string. */
export function manualInputFor(fn: RegisteredFunction, input: unknown, from: 'admin' | 'code'): ManualInput {
  const kind = triggerKindOf(triggerBindingOf(fn).type);
  if (kind === 'timer')
    return {
      input: manualTimer(
        from === 'code' && input && typeof input === 'object' ? (input as Partial<Timer>) : undefined,
      ),
    };
  const value = from === 'admin' && typeof input === 'string' ? triggerInputOf(input) : input;
  if (kind !== 'queue') return { input: value };
  const now = new Date();
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return {
    input: value,
    triggerMetadata: {
      queueTrigger: text,
      dequeueCount: 1,
      id: randomUUID(),
      insertionTime: now.toISOString(),
      expirationTime: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
      nextVisibleTime: now.toISOString(),
      popReceipt: '',
      sys: { methodName: fn.name, utcNow: now.toISOString(), randGuid: randomUUID() },
    },
  };
}

/** `LocalHost.invoke`: HTTP functions get `input` as the request (default: a GET of the route). */
export async function invokeByName(
  host: { functions: RegisteredFunction[]; routes: HttpRoute[]; invoker: FunctionInvoker; baseUrl: string },
  name: string,
  input: unknown,
): Promise<unknown> {
  const fn = host.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!fn) throw new Error(`No function named '${name}' is registered.`);
  if (triggerKindOf(triggerBindingOf(fn).type) !== 'http') {
    const manual = manualInputFor(fn, input, 'code');
    return host.invoker.invoke(fn, manual.input, {
      reason: MANUAL_REASON,
      triggerMetadata: manual.triggerMetadata,
    });
  }
  const route = host.routes.find((r) => r.fn === fn);
  const request =
    input ?? new HttpRequest({ url: `${host.baseUrl}/${route?.template ?? fn.name}`, method: 'GET' });
  const result = await host.invoker.invoke(fn, request, { reason: MANUAL_REASON });
  return toHttpResponse(result);
}
