'use strict';
/**
 * Environment and Node arguments the app's process starts with, here as in Azure (infra/main.bicep writes the same
 * app settings, and test/infra checks they agree). glibc and V8 read these when the process starts, so they cannot
 * be set from inside it.
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

/**
 * Node's own arguments for the app's process; in Azure the app setting languageWorkers__node__arguments
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference-node#environment-variables).
 *
 * --max-old-space-size: without it V8 sizes the heap from the machine's memory (4 GB on a 24 GB machine) and lets
 * garbage pile up to hundreds of MB before a full collection; any explicit limit from 160 to 1,024 MB made V8
 * collect sooner, and the worker's peak RSS under the throughput bursts fell from 259–281 MB to 154–169 MB with
 * the same throughput (docs/benchmarks.md, "Memory and V8's heap limit"). 512 MB stays far above the largest live
 * heap measured (73 MB), so a big first sync or a 25 MB mail never meets it.
 */
const WORKER_NODE_ARGUMENTS = Object.freeze(['--max-old-space-size=512']);

module.exports = { WORKER_PROCESS_ENV, WORKER_NODE_ARGUMENTS };
