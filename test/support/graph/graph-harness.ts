import { ManualClock, type Clock } from '../../../shared/platform/clock';
import {
  createGraphConnector,
  type GraphConnector,
  type GraphConnectorOptions,
} from '../../../shared/connectors/graph';
import type { UserRef } from '../../../shared/sync/types';
import { startFakeGraph, type FakeGraph, type FakeGraphOptions } from '../../../sandbox/graph/fake-graph';

/** The fake Graph plus the project's Graph connector pointed at it, and one mailbox user. */

export interface GraphHarness {
  fake: FakeGraph;
  connector: GraphConnector;
  user: UserRef;
  clock: Clock;
  stop(): Promise<void>;
}

export interface GraphHarnessOptions {
  clock?: Clock;
  fake?: Omit<FakeGraphOptions, 'clock'>;
  connector?: Omit<GraphConnectorOptions, 'clock'>;
  pastDays?: number;
  futureDays?: number;
}

export async function startGraphHarness(options: GraphHarnessOptions = {}): Promise<GraphHarness> {
  const clock = options.clock ?? new ManualClock(Date.parse('2026-11-22T08:00:00Z'));
  const fake = await startFakeGraph({ ...options.fake, clock });
  const entra = fake.control.addUser({ userPrincipalName: 'li.wei@contoso.example', displayName: 'Li Wei' });
  const connector = createGraphConnector(
    {
      graph: {
        tenantId: 'sandbox-tenant',
        clientId: 'sandbox-client',
        clientSecret: 'sandbox-graph-secret',
        authorityHost: fake.url,
        baseUrl: fake.url,
      },
      sync: {
        conflictPolicy: 'newest-wins',
        deletePolicy: 'propagate',
        bulkDeleteMaxShare: 0.2,
        dryRun: false,
        calendarWindowPastDays: options.pastDays ?? 30,
        calendarWindowFutureDays: options.futureDays ?? 365,
      },
    },
    { ...options.connector, clock },
  );
  const user: UserRef = {
    pairId: 'pair-li-wei',
    dingtalkUserId: 'dt-li-wei',
    dingtalkUnionId: 'union-li-wei',
    entraId: entra.id,
    email: 'li.wei@contoso.example',
  };
  return { fake, connector, user, clock, stop: () => fake.stop() };
}
