import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions } from '../../../../sandbox/dingtalk';
import { StaticAttendeeResolver } from '../../../../shared/connectors/dingtalk/attendee-resolver';
import { MonthlyBudgetGovernor } from '../../../../shared/connectors/dingtalk/budget-governor';
import { DingTalkCalendarAdapter } from '../../../../shared/connectors/dingtalk/calendar-adapter';
import { DingTalkDirectory } from '../../../../shared/connectors/dingtalk/directory';
import { DingTalkHttpClient } from '../../../../shared/connectors/dingtalk/http-client';
import { DingTalkTokenProvider } from '../../../../shared/connectors/dingtalk/token-provider';
import { systemClock, type Clock } from '../../../../shared/platform/clock';
import type { UserRef } from '../../../../shared/sync/types';

/** A fake DingTalk plus the project's client, directory reader and calendar adapter pointed at it. */

export const APP = { appKey: 'dingtestappkey', appSecret: 'test-app-secret-1', corpId: 'dingtestcorp' };

export interface HarnessOptions extends Partial<FakeDingTalkOptions> {
  clock?: Clock;
  requestTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  budget?: MonthlyBudgetGovernor;
}

export interface Harness {
  fake: FakeDingTalk;
  tokens: DingTalkTokenProvider;
  client: DingTalkHttpClient;
  directory: DingTalkDirectory;
  resolver: StaticAttendeeResolver;
  /** A new adapter over the same client: what a restarted process would have. */
  newAdapter(): DingTalkCalendarAdapter;
  adapter: DingTalkCalendarAdapter;
  alice: UserRef;
  bob: UserRef;
  stop(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? systemClock;
  const fake = await startFakeDingTalk({ ...APP, ...options, clock });
  const tokens = new DingTalkTokenProvider({ apiBase: fake.url, ...APP }, { clock });
  const client = new DingTalkHttpClient({
    apiBase: fake.url,
    oapiBase: fake.url,
    tokens,
    clock,
    sleep: options.sleep,
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    budget: options.budget,
  });
  const alice = userRef(
    fake.control.addUser({ userid: 'alice', name: 'Alice', org_email: 'alice@corp.example' }),
  );
  const bob = userRef(fake.control.addUser({ userid: 'bob', name: 'Bob', email: 'Bob@Personal.example' }));
  const resolver = new StaticAttendeeResolver([
    { unionId: alice.dingtalkUnionId, email: alice.email },
    { unionId: bob.dingtalkUnionId, email: bob.email },
  ]);
  const newAdapter = () => new DingTalkCalendarAdapter({ client, resolver, clock });
  return {
    fake,
    tokens,
    client,
    directory: new DingTalkDirectory(client),
    resolver,
    newAdapter,
    adapter: newAdapter(),
    alice,
    bob,
    stop: () => fake.stop(),
  };
}

function userRef(u: { userid: string; unionid: string; org_email?: string; email?: string }): UserRef {
  return {
    pairId: u.userid,
    dingtalkUserId: u.userid,
    dingtalkUnionId: u.unionid,
    entraId: `entra-${u.userid}`,
    email: (u.org_email ?? u.email ?? '').toLowerCase(),
  };
}
