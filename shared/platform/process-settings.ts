import { getHeapStatistics } from 'node:v8';

/**
 * What the app's process was started with and cannot set for itself (scripts/worker-process-env.js writes them
 * locally, infra/main.bicep as app settings): shown to an admin so that a deployment can be checked to have applied
 * them.
 */
export interface ProcessSettings {
  node: string;
  /** V8's heap limit: about 512 + 40 MB with languageWorkers__node__arguments=--max-old-space-size=512. */
  heapLimitMb: number;
  /** glibc's mmap threshold as the process environment gives it; null when unset (glibc's dynamic default). */
  mallocMmapThreshold: string | null;
}

export function processSettings(env: NodeJS.ProcessEnv = process.env): ProcessSettings {
  return {
    node: process.version,
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1_048_576),
    mallocMmapThreshold: env.MALLOC_MMAP_THRESHOLD_ ?? null,
  };
}
