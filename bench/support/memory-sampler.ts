export interface MemoryPeak {
  peakRssMb: number;
  peakHeapUsedMb: number;
  /** Memory of Buffers and other ArrayBuffers (outside the V8 heap), at its highest. */
  peakArrayBuffersMb: number;
  samples: number;
}

const MB = 1024 * 1024;

/** Samples this process's memory every intervalMs until stopped. */
export function startMemorySampler(intervalMs = 50): { stop(): MemoryPeak } {
  let peakRss = 0;
  let peakHeap = 0;
  let peakArrayBuffers = 0;
  let samples = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
    samples++;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return {
        peakRssMb: Math.round(peakRss / MB),
        peakHeapUsedMb: Math.round(peakHeap / MB),
        peakArrayBuffersMb: Math.round(peakArrayBuffers / MB),
        samples,
      };
    },
  };
}
