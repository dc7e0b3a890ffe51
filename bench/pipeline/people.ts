import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';

export interface BenchPerson {
  email: string;
  entraId: string;
  unionId: string;
}

/** The same colleagues on both sides, matched by e-mail as the pairing run will find them. */
export function seedPeople(graph: FakeGraph, dingtalk: FakeDingTalk, count: number): BenchPerson[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `Bench User ${i + 1}`;
    const email = `bench.user${i + 1}@contoso.com`;
    const entra = graph.control.addUser({ displayName: name, userPrincipalName: email, mail: email });
    const dt = dingtalk.control.addUser({ name, userid: `benchuser${i + 1}`, org_email: email, email });
    return { email, entraId: entra.id, unionId: dt.unionid };
  });
}
