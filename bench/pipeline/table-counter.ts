import type { TableClient } from '@azure/data-tables';
import type { Storage } from '../../shared/platform/storage';

type PipelinePolicy = Parameters<TableClient['pipeline']['addPolicy']>[0];

export interface TableCounts {
  /** HTTP requests to the Table service: what the code's "Operations:" comments count (a transaction is 1). */
  requests: number;
  /** Of those, entity-group transactions ($batch), and the entity actions inside them. */
  transactions: number;
  actionsInTransactions: number;
  /** Requests by table and kind, e.g. "users GET" (point read), "pairstate GET query", "pairstate $batch POST" (a transaction). */
  byKind: Record<string, number>;
  /** Entities the service returned: every entity of every query page, and each point read that found one. */
  rowsRead: number;
  rowsReadByTable: Record<string, number>;
  /** Query pages whose filter does not pin a partition: each one reads across the whole table. */
  tableScans: number;
}

const BATCH_ACTION = /^(?:GET|POST|PUT|PATCH|MERGE|DELETE) https?:\/\//gm;

interface RequestShape {
  table: string;
  kind: string;
  isQuery: boolean;
  pinsPartition: boolean;
}

/** "/devstoreaccount1/cursors(PartitionKey='a',RowKey='b')" → "cursors GET"; a read without keys is a query. */
function shapeOf(method: string, url: string): RequestShape {
  const { pathname, search, searchParams } = new URL(url);
  const resource = decodeURIComponent(pathname.split('/').filter(Boolean).pop() ?? '');
  const table = resource.replace(/\(.*$/, '');
  const isQuery = method === 'GET' && (!/\(.+\)/.test(resource) || search.includes('$filter'));
  const filter = searchParams.get('$filter') ?? '';
  return {
    table,
    kind: `${table} ${method}${isQuery ? ' query' : ''}`,
    isQuery,
    pinsPartition: /PartitionKey\s+eq\s/i.test(filter),
  };
}

/** The table a transaction's first action names: "PUT https://host/account/audit(PartitionKey=…" → "audit". */
function tableOfBatch(body: string): string {
  const url = /^(?:GET|POST|PUT|PATCH|MERGE|DELETE) (https?:\/\/\S+)/m.exec(body)?.[1];
  if (!url) return '';
  const resource = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '');
  return resource.replace(/\(.*$/, '');
}

/** Entities in one answer: a query page lists them in "value"; a point read is one entity. */
function entitiesIn(shape: RequestShape, body: string | undefined): number {
  if (!shape.isQuery) return 1;
  try {
    const value = (JSON.parse(body ?? '{}') as { value?: unknown[] }).value;
    return Array.isArray(value) ? value.length : 0;
  } catch {
    return 0;
  }
}

/**
 * Counts the app's table operations by adding a policy to the pipeline of every TableClient its Storage hands out.
 * Only the app's own Storage is instrumented, so the bench's observations (quiet checks) are not counted.
 */
export function countTableOperations(storage: Storage): { counts(): TableCounts } {
  const totals: TableCounts = {
    requests: 0,
    transactions: 0,
    actionsInTransactions: 0,
    byKind: {},
    rowsRead: 0,
    rowsReadByTable: {},
    tableScans: 0,
  };
  const policy: PipelinePolicy = {
    name: 'bench-table-operation-counter',
    async sendRequest(request, next) {
      totals.requests++;
      const shape = shapeOf(request.method, request.url);
      if (shape.kind.startsWith('$batch')) {
        totals.transactions++;
        const body = typeof request.body === 'string' ? request.body : '';
        totals.actionsInTransactions += body.match(BATCH_ACTION)?.length ?? 0;
        // One table per transaction (Azure's rule): named by its first action, e.g. "pairstate $batch POST".
        shape.kind = `${tableOfBatch(body)} ${shape.kind}`.trimStart();
      }
      totals.byKind[shape.kind] = (totals.byKind[shape.kind] ?? 0) + 1;
      if (shape.isQuery && !shape.pinsPartition) totals.tableScans++;
      const response = await next(request);
      if (request.method === 'GET' && response.status === 200) {
        const rows = entitiesIn(shape, response.bodyAsText ?? undefined);
        totals.rowsRead += rows;
        totals.rowsReadByTable[shape.table] = (totals.rowsReadByTable[shape.table] ?? 0) + rows;
      }
      return response;
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
  return {
    counts: () => ({
      ...totals,
      byKind: { ...totals.byKind },
      rowsReadByTable: { ...totals.rowsReadByTable },
    }),
  };
}
