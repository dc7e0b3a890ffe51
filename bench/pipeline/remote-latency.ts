import type { Pipeline } from './start-pipeline';

/** Delays every request to both fakes (API and token endpoints alike) by ms, until the returned function runs. */
export function injectRemoteLatency(p: Pick<Pipeline, 'graph' | 'dingtalk'>, ms: number): () => void {
  p.graph.control.addFault({ latencyMs: ms });
  p.dingtalk.control.injectFault({
    path: /./,
    kind: 'latency',
    latencyMs: ms,
    times: Number.POSITIVE_INFINITY,
  });
  return () => {
    p.graph.control.clearFaults();
    p.dingtalk.control.clearFaults();
  };
}
