/**
 * A stand-in for the worker's built-in module @azure/functions-core: it records what the function app registers,
 * exactly as the Azure worker receives it (metadata + the user's handler, unchanged).
 */

export interface FunctionBinding extends Record<string, unknown> {
  type: string;
  direction: string;
}

export interface RegisteredFunction {
  name: string;
  bindings: Record<string, FunctionBinding>;
  handler: (...args: unknown[]) => unknown;
  /**
   * The entry file the local host was loading when this function registered. Lets a host started twice in one
   * process find the functions of modules that Node (or jest) had already cached and so did not run again.
   */
  source?: string;
}

export type SystemLogSink = (level: string, message: string) => void;

export const registrations = new Map<string, RegisteredFunction>();

/** Names of app.hook.* registrations; the local host does not run hooks and says so. */
export const registeredHooks: string[] = [];

let loadingSource: string | undefined;
let systemLogSink: SystemLogSink | undefined;

export function withRegistrationSource<T>(source: string, load: () => T): T {
  const previous = loadingSource;
  loadingSource = source;
  try {
    return load();
  } finally {
    loadingSource = previous;
  }
}

/** Where the library's own system messages (e.g. "Discarding the body of the incoming GET request") go. */
export function setSystemLogSink(sink: SystemLogSink | undefined): void {
  systemLogSink = sink;
}

export const fakeCoreModule = {
  version: '4.0.0-local',
  hostVersion: '4.0.0-local',
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => undefined,
  registerHook(name: string) {
    registeredHooks.push(name);
    return {
      dispose: () => {
        const at = registeredHooks.indexOf(name);
        if (at >= 0) registeredHooks.splice(at, 1);
      },
    };
  },
  log(level: string, _category: string, message: string) {
    systemLogSink?.(level, message);
  },
  registerFunction(
    metadata: { name: string; bindings: RegisteredFunction['bindings'] },
    handler: RegisteredFunction['handler'],
  ) {
    registrations.set(metadata.name, {
      name: metadata.name,
      bindings: metadata.bindings,
      handler,
      source: loadingSource,
    });
    return { dispose: () => registrations.delete(metadata.name) };
  },
};
