import type { TableClient } from '@azure/data-tables';
import type { Storage } from '../../shared/platform/storage';

type PipelinePolicy = Parameters<TableClient['pipeline']['addPolicy']>[0];

export interface TableCounts {
  /** HTTP requests to the Table service: what the code's "Operations:" comments count (a transaction is 1). */
  requests: number;
  /** Of those, entity-group transactions ($batch), and the entity actions inside them. */
  transactions: number;
  actionsInTransactions: number;
  /** Requests by table and kind, e.g. "cursors GET" (point read), "links GET query", "$batch POST". */
  byKind: Record<string, number>;
}

const BATCH_ACTION = /^(?:GET|POST|PUT|PATCH|MERGE|DELETE) https?:\/\//gm;

/** "/devstoreaccount1/cursors(PartitionKey='a',RowKey='b')" → "cursors GET"; a read without keys is a query. */
function kindOf(method: string, url: string): string {
  const { pathname, search } = new URL(url);
  const resource = decodeURIComponent(pathname.split('/').filter(Boolean).pop() ?? '');
  const table = resource.replace(/\(.*$/, '');
  const isQuery = method === 'GET' && (!/\(.+\)/.test(resource) || search.includes('$filter'));
  return `${table} ${method}${isQuery ? ' query' : ''}`;
}

/**
 * Counts the app's table operations by adding a policy to the pipeline of every TableClient its Storage hands out.
 * Only the app's own Storage is instrumented, so the bench's observations (quiet checks) are not counted.
 */
export function countTableOperations(storage: Storage): { counts(): TableCounts } {
  const totals: TableCounts = { requests: 0, transactions: 0, actionsInTransactions: 0, byKind: {} };
  const policy: PipelinePolicy = {
    name: 'bench-table-operation-counter',
    sendRequest(request, next) {
      totals.requests++;
      const kind = kindOf(request.method, request.url);
      totals.byKind[kind] = (totals.byKind[kind] ?? 0) + 1;
      if (kind.startsWith('$batch')) {
        totals.transactions++;
        const body = typeof request.body === 'string' ? request.body : '';
        totals.actionsInTransactions += body.match(BATCH_ACTION)?.length ?? 0;
      }
      return next(request);
    },
  };
  const instrumented = new WeakSet<TableClient>();
  const table = storage.table.bind(storage);
  storage.table = async (name) => {
    const client = await table(name);
    if (!instrumented.has(client)) {
      client.pipeline.addPolicy(policy);
      instrumented.add(client);
    }
    return client;
  };
  return { counts: () => ({ ...totals, byKind: { ...totals.byKind } }) };
}
