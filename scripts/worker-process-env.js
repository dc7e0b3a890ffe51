'use strict';
/**
 * Environment the app's process starts with, here as in Azure (infra/main.bicep writes the same app settings, and
 * test/infra checks they agree). glibc reads these when the process starts, so they cannot be set from inside it.
 *
 * MALLOC_MMAP_THRESHOLD_: a fixed threshold turns off glibc's dynamic one (mallopt(3), M_MMAP_THRESHOLD:
 * https://man7.org/linux/man-pages/man3/mallopt.3.html). Left dynamic, the first large Buffer freed (a 2 MB IMAP
 * chunk, a 25 MB mail) raises the threshold to its size, after which Buffers up to that size come from the heap,
 * whose freed memory the process keeps; fixed at 128 KiB, every larger Buffer is its own mapping, returned to the
 * system when V8 collects it (docs/benchmarks.md, "Memory and glibc").
 */
const WORKER_PROCESS_ENV = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '131072',
});

module.exports = { WORKER_PROCESS_ENV };
