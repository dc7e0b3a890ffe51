import type { FakeDingTalk } from '../../sandbox/dingtalk';
import type { FakeGraph } from '../../sandbox/graph/fake-graph';

export interface DemoPerson {
  name: string;
  email: string;
  entraId: string;
  unionId: string;
  /** DingTalk userid: external contacts name their follower by it. */
  userid: string;
}

const PEOPLE = [
  { name: '张伟 Zhang Wei', userid: 'zhangwei', email: 'zhang.wei@contoso.com' },
  { name: 'Alice Chen', userid: 'alicechen', email: 'alice.chen@contoso.com' },
  { name: 'Bob Li', userid: 'bobli', email: 'bob.li@contoso.com' },
];

/** The same three colleagues on both sides, matched by e-mail as the pairing run will find them. */
export function seedDemoOrganisation(graph: FakeGraph, dingtalk: FakeDingTalk): DemoPerson[] {
  return PEOPLE.map((p) => {
    const entra = graph.control.addUser({ displayName: p.name, userPrincipalName: p.email, mail: p.email });
    const dt = dingtalk.control.addUser({
      name: p.name,
      userid: p.userid,
      org_email: p.email,
      email: p.email,
    });
    return { name: p.name, email: p.email, entraId: entra.id, unionId: dt.unionid, userid: p.userid };
  });
}
