import type { Kind } from './types';

/**
 * Pairs DingTalk employees with Entra users by e-mail, with an admin override table. Pure: the directory
 * readers supply the inputs, the caller stores the outcome.
 *
 * An address pairs only when it is unambiguous on both sides: if two Entra users (or two DingTalk users) carry
 * the same address, nobody is paired on it and the conflict is reported, because syncing one person's calendar
 * into another's mailbox is the worst mistake this product could make.
 */

export interface DingTalkPerson {
  userid: string;
  unionid: string;
  name?: string;
  email?: string;
  orgEmail?: string;
  active: boolean;
}

export interface EntraPerson {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  proxyAddresses?: string[];
  accountEnabled?: boolean;
}

export interface PairOverride {
  dingtalkUserId: string;
  entraId: string;
}

export interface ExistingPair {
  pairId: string;
  dingtalkUserId: string;
  entraId: string;
  status: 'active' | 'disabled' | 'left';
}

export interface PlannedPair {
  pairId: string;
  dingtalkUserId: string;
  dingtalkUnionId: string;
  entraId: string;
  userPrincipalName: string;
  email: string;
  status: 'active' | 'disabled' | 'left';
  pairedBy: 'email' | 'override';
  enabledKinds: Kind[];
}

export interface PairingProblem {
  kind: 'ambiguous-address' | 'override-unknown-user';
  detail: string;
}

export interface PairingPlan {
  pairs: PlannedPair[];
  /** Existing pairs that no longer match: "left" when a person is gone, "disabled" when no longer paired. */
  statusChanges: Array<{ pairId: string; status: 'disabled' | 'left' }>;
  problems: PairingProblem[];
}

export const DEFAULT_KINDS: Kind[] = ['calendar'];

export function normalizeAddress(address: string): string {
  return address
    .trim()
    .replace(/^smtp:/i, '')
    .toLowerCase();
}

function dingtalkAddresses(p: DingTalkPerson): string[] {
  return unique(
    [p.orgEmail, p.email].filter((a): a is string => !!a && a.includes('@')).map(normalizeAddress),
  );
}

function entraAddresses(p: EntraPerson): string[] {
  const proxies = (p.proxyAddresses ?? []).filter((a) => /^smtp:/i.test(a));
  return unique(
    [p.mail ?? '', p.userPrincipalName, ...proxies].filter((a) => a.includes('@')).map(normalizeAddress),
  );
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function indexByAddress<T>(people: T[], addressesOf: (p: T) => string[]): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const person of people) {
    for (const address of addressesOf(person)) index.set(address, [...(index.get(address) ?? []), person]);
  }
  return index;
}

export function planPairs(input: {
  dingtalk: DingTalkPerson[];
  entra: EntraPerson[];
  overrides: PairOverride[];
  existing: ExistingPair[];
  enabledKinds?: Kind[];
}): PairingPlan {
  const kinds = input.enabledKinds ?? DEFAULT_KINDS;
  const problems: PairingProblem[] = [];
  const entraById = new Map(input.entra.map((e) => [e.id, e]));
  const dingtalkById = new Map(input.dingtalk.map((d) => [d.userid, d]));
  const entraByAddress = indexByAddress(input.entra, entraAddresses);
  const dingtalkByAddress = indexByAddress(input.dingtalk, dingtalkAddresses);
  const pairs = new Map<string, PlannedPair>();
  const pairedEntra = new Set<string>();
  const pairedDingtalk = new Set<string>();

  const add = (d: DingTalkPerson, e: EntraPerson, pairedBy: PlannedPair['pairedBy']) => {
    const enabled = d.active && e.accountEnabled !== false;
    pairs.set(e.id, {
      pairId: e.id,
      dingtalkUserId: d.userid,
      dingtalkUnionId: d.unionid,
      entraId: e.id,
      userPrincipalName: e.userPrincipalName,
      email: normalizeAddress(e.mail || e.userPrincipalName),
      status: enabled ? 'active' : 'disabled',
      pairedBy,
      enabledKinds: kinds,
    });
    pairedEntra.add(e.id);
    pairedDingtalk.add(d.userid);
  };

  for (const o of input.overrides) {
    const d = dingtalkById.get(o.dingtalkUserId);
    const e = entraById.get(o.entraId);
    if (!d || !e) {
      problems.push({
        kind: 'override-unknown-user',
        detail: `override ${o.dingtalkUserId} -> ${o.entraId}: ${!d ? 'DingTalk user' : 'Entra user'} not found`,
      });
      continue;
    }
    add(d, e, 'override');
  }

  for (const d of input.dingtalk) {
    if (pairedDingtalk.has(d.userid)) continue;
    const candidates = new Map<string, EntraPerson>();
    let ambiguous = false;
    for (const address of dingtalkAddresses(d)) {
      const onEntra = entraByAddress.get(address) ?? [];
      const onDingtalk = dingtalkByAddress.get(address) ?? [];
      if (onEntra.length > 1 || onDingtalk.length > 1) {
        ambiguous = true;
        problems.push({
          kind: 'ambiguous-address',
          detail: `${address} belongs to ${onDingtalk.length} DingTalk and ${onEntra.length} Entra users`,
        });
        continue;
      }
      for (const e of onEntra) candidates.set(e.id, e);
    }
    if (ambiguous || candidates.size !== 1) continue;
    const [e] = candidates.values();
    if (pairedEntra.has(e.id)) continue;
    add(d, e, 'email');
  }

  // A pair that no longer matches is kept and marked, never dropped: its links and audit stay meaningful.
  const statusChanges: PairingPlan['statusChanges'] = [];
  for (const old of input.existing) {
    if (pairs.has(old.pairId)) continue;
    const status = dingtalkById.has(old.dingtalkUserId) && entraById.has(old.entraId) ? 'disabled' : 'left';
    if (old.status !== status) statusChanges.push({ pairId: old.pairId, status });
  }

  return { pairs: [...pairs.values()], statusChanges, problems: dedupeProblems(problems) };
}

function dedupeProblems(problems: PairingProblem[]): PairingProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.kind}:${p.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
