/**
 * The parts of host.json the local host honours, with the runtime's defaults. As in Azure, an app setting named
 * `AzureFunctionsJobHost__path__to__key` overrides host.json's `path.to.key` (keys compared case-insensitively).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface QueuesOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** Invisibility given to a message whose processing failed, before it is retried. */
  visibilityTimeoutMs: number;
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
}

export interface HostConfig {
  routePrefix: string;
  queues: QueuesOptions;
}

const OVERRIDE_PREFIX = 'AzureFunctionsJobHost__';
const MAX_QUEUE_BATCH = 32;

export function readHostConfig(appRoot: string, env: NodeJS.ProcessEnv = process.env): HostConfig {
  const file = path.join(appRoot, 'host.json');
  const json = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)
    : {};
  applyEnvironmentOverrides(json, env);
  return { routePrefix: routePrefixOf(json), queues: queuesOptionsOf(json) };
}

export function applyEnvironmentOverrides(json: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(OVERRIDE_PREFIX.toLowerCase())) continue;
    const keys = name.slice(OVERRIDE_PREFIX.length).split('__').filter(Boolean);
    if (keys.length === 0) continue;
    let node = json;
    for (const key of keys.slice(0, -1)) {
      const existing = findKey(node, key);
      const child = existing === undefined ? undefined : node[existing];
      if (child && typeof child === 'object' && !Array.isArray(child))
        node = child as Record<string, unknown>;
      else node = (node[existing ?? key] = {}) as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    node[findKey(node, last) ?? last] = value;
  }
}

export function lookup(json: Record<string, unknown>, dottedPath: string): unknown {
  let node: unknown = json;
  for (const key of dottedPath.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    const found = findKey(node as Record<string, unknown>, key);
    node = found === undefined ? undefined : (node as Record<string, unknown>)[found];
  }
  return node;
}

function findKey(node: Record<string, unknown>, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.keys(node).find((k) => k.toLowerCase() === lower);
}

function routePrefixOf(json: Record<string, unknown>): string {
  const prefix = lookup(json, 'extensions.http.routePrefix');
  return typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api';
}

function queuesOptionsOf(json: Record<string, unknown>): QueuesOptions {
  const read = (key: string) => lookup(json, `extensions.queues.${key}`);
  const batchSize = integer(read('batchSize'), 16, 'batchSize');
  if (batchSize < 1 || batchSize > MAX_QUEUE_BATCH) {
    throw new Error(`host.json extensions.queues.batchSize must be between 1 and ${MAX_QUEUE_BATCH}.`);
  }
  const maxDequeueCount = integer(read('maxDequeueCount'), 5, 'maxDequeueCount');
  if (maxDequeueCount < 1)
    throw new Error('host.json extensions.queues.maxDequeueCount must not be less than 1.');
  // The runtime's default threshold scales with the machine: (batchSize / 2) × processor count.
  const defaultThreshold = Math.floor(batchSize / 2) * os.availableParallelism();
  const encoding = String(read('messageEncoding') ?? 'base64').toLowerCase();
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new Error('host.json extensions.queues.messageEncoding must be "base64" or "none".');
  }
  return {
    batchSize,
    newBatchThreshold: integer(read('newBatchThreshold'), defaultThreshold, 'newBatchThreshold'),
    maxDequeueCount,
    visibilityTimeoutMs: timeSpanMs(read('visibilityTimeout'), 0),
    maxPollingIntervalMs: timeSpanMs(read('maxPollingInterval'), 60_000),
    messageEncoding: encoding,
  };
}

function integer(value: unknown, fallback: number, name: string): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new Error(`host.json extensions.queues.${name} must be an integer, got ${JSON.stringify(value)}.`);
  return n;
}

/**
 * .NET TimeSpan text (`[-][d.]hh:mm[:ss[.fffffff]]`, or a whole number of days) in milliseconds. A JSON number
 * is taken as milliseconds, as the runtime did for maxPollingInterval.
 */
export function timeSpanMs(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'number') return value;
  const text = String(value).trim();
  if (/^-?\d+$/.test(text)) return Number(text) * 86_400_000;
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(text);
  if (!m) throw new Error(`Not a TimeSpan: ${JSON.stringify(value)} (expected e.g. "00:00:30").`);
  const [, minus, days, hours, minutes, seconds, fraction] = m;
  const ms =
    Number(days ?? 0) * 86_400_000 +
    Number(hours) * 3_600_000 +
    Number(minutes) * 60_000 +
    Number(seconds ?? 0) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return minus ? -ms : ms;
}
