import { getHeapStatistics } from 'node:v8';
import { processSettings } from '../../../shared/platform/process-settings';

test('reports the heap limit V8 runs with and the mmap threshold the environment gives', () => {
  const settings = processSettings({ MALLOC_MMAP_THRESHOLD_: '131072' });
  expect(settings.node).toBe(process.version);
  expect(settings.heapLimitMb).toBe(Math.round(getHeapStatistics().heap_size_limit / 1_048_576));
  expect(settings.mallocMmapThreshold).toBe('131072');
});

test('an unset threshold is reported as null, glibc then choosing its own', () => {
  expect(processSettings({}).mallocMmapThreshold).toBeNull();
});
