/** A plain summary of what a function app registered: which trigger, and the settings that wire it. */
import type { FunctionBinding, RegisteredFunction } from './functions-core';

export type TriggerKind = 'http' | 'timer' | 'queue' | 'other';

export interface FunctionDescription {
  name: string;
  trigger: TriggerKind;
  /** The binding type as registered, e.g. 'httpTrigger' or 'blobTrigger'. */
  triggerType: string;
  /** HTTP: the effective route template without the prefix (the function name when none was given). */
  route?: string;
  /** HTTP: upper-case methods; absent when every method is allowed. */
  methods?: string[];
  authLevel?: string;
  /** Timer: the schedule as registered, `%SETTING%` expressions unresolved. */
  schedule?: string;
  runOnStartup?: boolean;
  /** Queue: the queue name as registered, `%SETTING%` expressions unresolved. */
  queueName?: string;
  /** Queue: the app setting naming the storage connection (AzureWebJobsStorage by default). */
  connection?: string;
}

export const DEFAULT_STORAGE_CONNECTION = 'AzureWebJobsStorage';

export function triggerBindingOf(fn: RegisteredFunction): FunctionBinding {
  const trigger = Object.values(fn.bindings).find((b) => /trigger$/i.test(b.type));
  if (!trigger) throw new Error(`Function "${fn.name}" has no trigger binding.`);
  return trigger;
}

export function triggerKindOf(type: string): TriggerKind {
  switch (type.toLowerCase()) {
    case 'httptrigger':
      return 'http';
    case 'timertrigger':
      return 'timer';
    case 'queuetrigger':
      return 'queue';
    default:
      return 'other';
  }
}

export function describeFunction(fn: RegisteredFunction): FunctionDescription {
  const trigger = triggerBindingOf(fn);
  const kind = triggerKindOf(trigger.type);
  const description: FunctionDescription = { name: fn.name, trigger: kind, triggerType: trigger.type };
  if (kind === 'http') {
    description.route = typeof trigger.route === 'string' ? trigger.route : fn.name;
    if (Array.isArray(trigger.methods))
      description.methods = trigger.methods.map((m) => String(m).toUpperCase());
    description.authLevel = typeof trigger.authLevel === 'string' ? trigger.authLevel : 'anonymous';
  } else if (kind === 'timer') {
    description.schedule = String(trigger.schedule);
    description.runOnStartup = trigger.runOnStartup === true;
  } else if (kind === 'queue') {
    description.queueName = String(trigger.queueName);
    description.connection =
      typeof trigger.connection === 'string' && trigger.connection
        ? trigger.connection
        : DEFAULT_STORAGE_CONNECTION;
  }
  return description;
}

/** Sorted by name, so a test can compare it with an expected table. */
export function describeRegistrations(
  registrations: Map<string, RegisteredFunction> | Iterable<RegisteredFunction>,
): FunctionDescription[] {
  const list = registrations instanceof Map ? [...registrations.values()] : [...registrations];
  return list.map(describeFunction).sort((a, b) => a.name.localeCompare(b.name));
}
