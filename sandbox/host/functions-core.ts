/**
 * A stand-in for the worker's built-in module @azure/functions-core: it records what the function app registers,
 * exactly as the Azure worker receives it (metadata + the user's handler, unchanged).
 */

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, Record<string, unknown> & { type: string; direction: string }>;
  handler: (...args: unknown[]) => unknown;
}

export const registrations = new Map<string, RegisteredFunction>();

export const fakeCoreModule = {
  version: '4.0.0-local',
  hostVersion: '4.0.0-local',
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => undefined,
  registerHook: () => ({ dispose: () => undefined }),
  log: () => undefined,
  registerFunction(metadata: { name: string; bindings: RegisteredFunction['bindings'] }, handler: RegisteredFunction['handler']) {
    registrations.set(metadata.name, { name: metadata.name, bindings: metadata.bindings, handler });
    return { dispose: () => registrations.delete(metadata.name) };
  },
};
