import { planPairs, type DingTalkPerson, type EntraPerson } from '../../../shared/sync/pairing';

const dt = (userid: string, email?: string, orgEmail?: string, active = true): DingTalkPerson => ({
  userid,
  unionid: `union-${userid}`,
  email,
  orgEmail,
  active,
});
const en = (id: string, upn: string, mail?: string, proxies: string[] = []): EntraPerson => ({
  id,
  userPrincipalName: upn,
  mail,
  proxyAddresses: proxies,
});

describe('planPairs', () => {
  test('pairs by org e-mail, personal e-mail, mail, UPN and smtp proxy addresses, case-insensitively', () => {
    const plan = planPairs({
      dingtalk: [
        dt('a', undefined, 'Alice@Contoso.com'),
        dt('b', 'bob@contoso.com'),
        dt('c', 'carol.alias@contoso.com'),
      ],
      entra: [
        en('e-a', 'alice@contoso.com'),
        en('e-b', 'robert@contoso.onmicrosoft.com', 'BOB@contoso.com'),
        en('e-c', 'carol@contoso.com', 'carol@contoso.com', [
          'SMTP:carol@contoso.com',
          'smtp:carol.alias@contoso.com',
        ]),
      ],
      overrides: [],
      existing: [],
    });
    const byDt = Object.fromEntries(plan.pairs.map((p) => [p.dingtalkUserId, p.entraId]));
    expect(byDt).toEqual({ a: 'e-a', b: 'e-b', c: 'e-c' });
    expect(plan.pairs.find((p) => p.dingtalkUserId === 'a')).toMatchObject({
      pairId: 'e-a',
      dingtalkUnionId: 'union-a',
      status: 'active',
      pairedBy: 'email',
    });
    expect(plan.problems).toEqual([]);
  });

  test('an address shared by two Entra users pairs nobody and is reported', () => {
    const plan = planPairs({
      dingtalk: [dt('a', 'shared@contoso.com')],
      entra: [en('e1', 'shared@contoso.com'), en('e2', 'x@contoso.com', 'shared@contoso.com')],
      overrides: [],
      existing: [],
    });
    expect(plan.pairs).toEqual([]);
    expect(plan.problems).toEqual([
      { kind: 'ambiguous-address', detail: 'shared@contoso.com belongs to 1 DingTalk and 2 Entra users' },
    ]);
  });

  test('an address shared by two DingTalk users pairs neither', () => {
    const plan = planPairs({
      dingtalk: [dt('a', 'team@contoso.com'), dt('b', 'team@contoso.com')],
      entra: [en('e1', 'team@contoso.com')],
      overrides: [],
      existing: [],
    });
    expect(plan.pairs).toEqual([]);
    expect(plan.problems[0].kind).toBe('ambiguous-address');
  });

  test('an override wins over e-mail matching and an unknown override is reported', () => {
    const plan = planPairs({
      dingtalk: [dt('a', 'alice@contoso.com'), dt('b', 'nobody@elsewhere.cn')],
      entra: [en('e-a', 'alice@contoso.com'), en('e-b', 'bob@contoso.com')],
      overrides: [
        { dingtalkUserId: 'b', entraId: 'e-b' },
        { dingtalkUserId: 'ghost', entraId: 'e-a' },
      ],
      existing: [],
    });
    expect(plan.pairs.find((p) => p.dingtalkUserId === 'b')).toMatchObject({
      entraId: 'e-b',
      pairedBy: 'override',
    });
    expect(plan.pairs.find((p) => p.dingtalkUserId === 'a')).toMatchObject({
      entraId: 'e-a',
      pairedBy: 'email',
    });
    expect(plan.problems).toEqual([
      { kind: 'override-unknown-user', detail: 'override ghost -> e-a: DingTalk user not found' },
    ]);
  });

  test('inactive DingTalk users and disabled Entra accounts are paired but disabled', () => {
    const plan = planPairs({
      dingtalk: [dt('a', 'alice@contoso.com', undefined, false), dt('b', 'bob@contoso.com')],
      entra: [en('e-a', 'alice@contoso.com'), { ...en('e-b', 'bob@contoso.com'), accountEnabled: false }],
      overrides: [],
      existing: [],
    });
    expect(plan.pairs.map((p) => p.status)).toEqual(['disabled', 'disabled']);
  });

  test('a pair whose people are gone is marked left, never dropped; an unchanged status is not repeated', () => {
    const plan = planPairs({
      dingtalk: [dt('b', 'bob@contoso.com')],
      entra: [en('e-b', 'bob@contoso.com')],
      overrides: [],
      existing: [
        { pairId: 'e-a', dingtalkUserId: 'a', entraId: 'e-a', status: 'active' },
        { pairId: 'e-z', dingtalkUserId: 'z', entraId: 'e-z', status: 'left' },
        { pairId: 'e-b', dingtalkUserId: 'b', entraId: 'e-b', status: 'active' },
      ],
    });
    expect(plan.statusChanges).toEqual([{ pairId: 'e-a', status: 'left' }]);
    expect(plan.pairs.map((p) => p.pairId)).toEqual(['e-b']);
  });
});
