import type { Fakes } from '../fakes/fakes-client';

/** Delays every request to both fakes (API and token endpoints alike) by ms, until the returned function runs. */
export async function injectRemoteLatency(fakes: Fakes, ms: number): Promise<() => Promise<void>> {
  await fakes.call('injectLatency', ms);
  return () => fakes.call('clearLatency');
}
