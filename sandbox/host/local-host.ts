/**
 * The local Functions host: loads the app as the worker does, serves its HTTP functions, fires its timers and
 * feeds its queue functions from Azure Storage (Azurite). stop() leaves nothing running.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadFunctionApp } from './app-loader';
import { applySettings, readLocalSettings } from './app-settings';
import { acquireCoreModuleProxy } from './core-module-proxy';
import { describeFunction } from './describe';
import { setSystemLogSink, type RegisteredFunction } from './functions-core';
import { readHostConfig } from './host-config';
import { createHttpServer } from './http/http-server';
import { DEFAULT_MAX_REQUEST_BODY_BYTES } from './http/node-request';
import { buildRouteTable, type HttpRoute } from './http/route-table';
import { FunctionInvoker } from './invoker';
import { consoleLogSink, createHostLog, toHostLogLevel, type HostLogSink } from './log';
import { invokeByName, MANUAL_REASON, manualInputFor } from './manual-invocation';
import { shutdown } from './shutdown';
import type { QueueListener, QueuePolling } from './queues/queue-listener';
import { startQueueTriggers } from './queues/queue-triggers';
import type { TimerListener } from './timers/timer-listener';
import { startTimerTriggers } from './timers/timer-triggers';

export interface LocalHostOptions {
  /** Folder holding package.json ("main" glob), host.json and, optionally, local.settings.json. */
  appRoot: string;
  /** 0 picks a free port. Default: local.settings.json Host.LocalHttpPort, else 7071 (as Core Tools). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  hostname?: string;
  /** App settings that override the environment (and local.settings.json); restored by stop(). */
  env?: Record<string, string>;
  log?: HostLogSink;
  /** Run timer triggers on their schedules. Default true. */
  timers?: boolean;
  /** Poll queues for queue triggers. Default true. */
  queues?: boolean;
  /**
   * Serve these registrations instead of loading the app from package.json "main". For jest, whose module registry
   * the worker-style require proxy cannot reach: tests load the functions under a mocked @azure/functions-core.
   */
  functions?: RegisteredFunction[];
  /** Larger request bodies get 413. Default 100 MB, Azure's limit. */
  maxRequestBodyBytes?: number;
  /** How long stop() waits for running invocations. Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Queue polling. Defaults: 100 ms to 1 s when idle; a message stays invisible 10 min while processed. */
  queuePolling?: Partial<QueuePolling>;
}

export interface LocalHost {
  url: string;
  port: number;
  functions: RegisteredFunction[];
  routes: HttpRoute[];
  /**
   * Runs a function now, as the admin API would, and returns what its handler returned (HTTP functions: the
   * HttpResponse the host would write; input an HttpRequest, default a GET of the route).
   */
  invoke(name: string, input?: unknown): Promise<unknown>;
  /** How many invocations (HTTP, queue, timer or manual) are running now. */
  running(): number;
  stop(): Promise<void>;
}

const DEFAULT_POLLING: QueuePolling = {
  minIntervalMs: 100,
  maxIntervalMs: 1000,
  processingVisibilityMs: 10 * 60_000,
};

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const log = createHostLog(options.log ?? consoleLogSink());
  const localSettings = readLocalSettings(options.appRoot);
  const restoreEnv = applySettings(process.env, {
    // FUNCTIONS_LOCAL_HOST tells the app where it runs, e.g. that Key Vault references go unresolved here.
    override: { FUNCTIONS_LOCAL_HOST: '1', ...options.env },
    ifUnset: localSettings?.values,
  });
  const releaseProxy = acquireCoreModuleProxy();
  setSystemLogSink((level, message) =>
    log.write({ level: toHostLogLevel(level), category: 'system', message }),
  );
  const undoSetup = () => {
    setSystemLogSink(undefined);
    releaseProxy();
    restoreEnv();
  };

  let functions: RegisteredFunction[];
  let config: ReturnType<typeof readHostConfig>;
  try {
    config = readHostConfig(options.appRoot);
    functions = options.functions ?? loadFunctionApp(options.appRoot, log).functions;
  } catch (error) {
    undoSetup();
    throw error;
  }

  const invoker = new FunctionInvoker(log);
  const routes = buildRouteTable(functions, config.routePrefix, log);
  let stopping = false;
  let baseUrl = '';
  const http = createHttpServer({
    invoker,
    log,
    maxRequestBodyBytes: options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES,
    isStopping: () => stopping,
    admin: {
      functions,
      routes,
      baseUrl: () => baseUrl,
      start: (fn, input) => {
        const manual = manualInputFor(fn, input, 'admin');
        invoker
          .invoke(fn, manual.input, { reason: MANUAL_REASON, triggerMetadata: manual.triggerMetadata })
          .catch(() => undefined);
      },
    },
  });

  let port: number;
  try {
    port = await listen(
      http.server,
      options.port ?? localSettings?.localHttpPort ?? 7071,
      options.hostname ?? '127.0.0.1',
    );
  } catch (error) {
    undoSetup();
    throw error;
  }
  const shownHost =
    !options.hostname || options.hostname === '0.0.0.0' || options.hostname === '::'
      ? '127.0.0.1'
      : options.hostname;
  baseUrl = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;

  const timers: TimerListener[] = options.timers === false ? [] : startTimerTriggers(functions, invoker, log);
  const polling = { ...DEFAULT_POLLING, ...options.queuePolling };
  polling.maxIntervalMs = Math.min(polling.maxIntervalMs, config.queues.maxPollingIntervalMs);
  const queues: QueueListener[] =
    options.queues === false ? [] : startQueueTriggers(functions, config.queues, polling, invoker, log);

  log.info(listing(functions, routes, baseUrl));
  log.info(`Host started: ${baseUrl}`);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopping = true;
    return (stopped ??= shutdown({
      log,
      server: http.server,
      httpIdle: http.idle,
      invoker,
      timers,
      queues,
      timeoutMs: options.shutdownTimeoutMs ?? 10_000,
    }).finally(undoSetup));
  };

  return {
    url: baseUrl,
    port,
    functions,
    routes,
    stop,
    invoke: (name, input) => invokeByName({ functions, routes, invoker, baseUrl }, name, input),
    running: () => invoker.runningCount,
  };
}

function listen(server: Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function listing(functions: RegisteredFunction[], routes: HttpRoute[], baseUrl: string): string {
  const lines = functions.map((fn) => {
    const route = routes.find((r) => r.fn === fn);
    if (route) return `\t${fn.name}: [${route.methods?.join(',') ?? 'ALL'}] ${baseUrl}/${route.template}`;
    return `\t${fn.name}: ${describeFunction(fn).triggerType}`;
  });
  return lines.length === 0 ? 'No functions found.' : `Functions:\n\n${lines.join('\n\n')}\n`;
}
