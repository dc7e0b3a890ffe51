import type { FakeDingTalk } from '../../sandbox/dingtalk';
import { isMetered } from '../../sandbox/dingtalk/rate-limits';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';
import type { TableCounts } from './table-counter';

/** What the pipeline has asked of the fakes so far (running totals). */
export interface RemoteCallTotals {
  /** Graph v1.0 requests (the fake records each one, refused ones included). */
  graph: number;
  /** Of those, the ones the fake refused (429 throttling, 4xx/5xx): retries show up here, not as work. */
  graphRefused: number;
  /** Token requests to the identity platform. */
  graphTokens: number;
  /** Every DingTalk API request, tokens and directory included. */
  dingtalkAll: number;
  /** The ones counted against the org's monthly quota. */
  dingtalkMetered: number;
  /** Graph requests by method and path shape, DingTalk requests by operation. */
  remoteByKind: Record<string, number>;
}

/** Everything the pipeline has asked of the outside world so far; differences of two give a phase's cost. */
export interface CallCounts extends RemoteCallTotals {
  table: TableCounts;
  /** Messages the app sent to its queues (queue-counter.ts). */
  queueMessages: number;
}

export interface CallCounter {
  now(): Promise<CallCounts>;
}

/** Ids in Graph paths (GUIDs, long base64 item ids) become {id}, so requests group by endpoint. */
function graphKind(method: string, path: string): string {
  const shape = path
    .split('/')
    .map((segment) => (segment.length >= 20 || /^[0-9a-f-]{36}$/i.test(segment) ? '{id}' : segment))
    .join('/');
  return `graph ${method} ${shape}`;
}

/**
 * Runs where the fakes run. They keep what they were asked in lists; those are emptied at every reading (and the
 * running totals kept here) so a long run does not hold every request in memory.
 */
export function remoteCallTotals(graph: FakeGraph, dingtalk: FakeDingTalk): () => RemoteCallTotals {
  let graphSeen = 0;
  let graphRefused = 0;
  let dingtalkSeen = 0;
  const byKind: Record<string, number> = {};
  const add = (kind: string) => (byKind[kind] = (byKind[kind] ?? 0) + 1);
  return () => {
    for (const r of graph.control.requests) {
      const refused = (r.status ?? 0) >= 400;
      if (refused) graphRefused += 1;
      add(`${graphKind(r.method, r.path)}${refused ? ` (${r.status})` : ''}`);
    }
    graphSeen += graph.control.requests.length;
    graph.control.clearRequests();
    const exchanges = dingtalk.control.exchanges();
    for (const x of exchanges) add(`dingtalk ${x.operation}${isMetered(x.template) ? ' (metered)' : ''}`);
    dingtalkSeen += exchanges.length;
    dingtalk.control.clearExchanges();
    return {
      graph: graphSeen,
      graphRefused,
      graphTokens: graph.control.tokenRequests(),
      dingtalkAll: dingtalkSeen,
      dingtalkMetered: dingtalk.control.usage().metered,
      remoteByKind: { ...byKind },
    };
  };
}

/** The fakes' totals (from their process) with the app's table operations (from this one). */
export function createCallCounter(
  remoteCalls: () => Promise<RemoteCallTotals>,
  tableCounts: () => TableCounts,
  queueMessages: () => number = () => 0,
  settle: () => Promise<void> = async () => undefined,
): CallCounter {
  return {
    async now() {
      await settle();
      return { ...(await remoteCalls()), table: tableCounts(), queueMessages: queueMessages() };
    },
  };
}

export interface CostPerChange {
  changes: number;
  graphCalls: number;
  /** Of graphCalls, the ones Graph refused (a retry follows each 429). */
  graphRefusedCalls: number;
  graphTokenCalls: number;
  dingtalkCallsAll: number;
  dingtalkCallsMetered: number;
  tableOperations: number;
  tableTransactions: number;
  tableEntityActionsInTransactions: number;
  /** Queue messages the app sent (hints, poll successors, work sent back): not storage the budgets count. */
  queueMessagesSent: number;
  /** Per change, by endpoint and by table operation, largest first. */
  breakdown: { remote: Record<string, number>; table: Record<string, number> };
}

const per = (value: number, changes: number) => Number((value / changes).toFixed(2));

function perChangeByKind(
  before: Record<string, number>,
  after: Record<string, number>,
  changes: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([kind, n]) => [kind, per(n - (before[kind] ?? 0), changes)] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
  );
}

export function costPerChange(before: CallCounts, after: CallCounts, changes: number): CostPerChange {
  return {
    changes,
    graphCalls: per(after.graph - before.graph, changes),
    graphRefusedCalls: per(after.graphRefused - before.graphRefused, changes),
    graphTokenCalls: per(after.graphTokens - before.graphTokens, changes),
    dingtalkCallsAll: per(after.dingtalkAll - before.dingtalkAll, changes),
    dingtalkCallsMetered: per(after.dingtalkMetered - before.dingtalkMetered, changes),
    tableOperations: per(after.table.requests - before.table.requests, changes),
    tableTransactions: per(after.table.transactions - before.table.transactions, changes),
    tableEntityActionsInTransactions: per(
      after.table.actionsInTransactions - before.table.actionsInTransactions,
      changes,
    ),
    queueMessagesSent: per(after.queueMessages - before.queueMessages, changes),
    breakdown: {
      remote: perChangeByKind(before.remoteByKind, after.remoteByKind, changes),
      table: perChangeByKind(before.table.byKind, after.table.byKind, changes),
    },
  };
}
