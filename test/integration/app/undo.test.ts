import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAdminCommand } from '../../../scripts/admin/command';
import { FOLDERS } from '../../../shared/app/folders';
import type { UndoRunDeps } from '../../../shared/app/undo/undo-run';
import { processWork, type EndpointsFor, type WorkerDeps } from '../../../shared/app/worker';
import { ManualClock } from '../../../shared/platform/clock';
import type { WorkItem } from '../../../shared/store/types';
import type { SideEndpoint } from '../../../shared/sync';
import type { AuditEntry, Side, SideAdapter, SyncPolicy } from '../../../shared/sync/types';
import { FaultPlan, LogicalClock } from '../../property/support/faults';
import { MemorySide } from '../../property/support/memory-side';
import { noteMatchKeys, type Note } from '../../property/support/world';
import { freshAppStores, pairFor, type AppStores } from './support';

/**
 * Undo on the real tables (Azurite) with the real worker and engine making the copies, and memory sides for the
 * two services: the command as the admin runs it (dry run, plan file, apply), crash and re-run, a busy lease, and
 * originals that must survive a damaged or missing link.
 */

const ALICE = 'pair-alice-0001';
const FOLDER = FOLDERS.calendar;
const POLICY: SyncPolicy = {
  conflict: 'newest-wins',
  deletes: 'propagate',
  bulkDeleteMaxShare: 0.5,
  dryRun: false,
};
const DAY = '2026-11-22';

let s: AppStores;
let clock: ManualClock;
let sides: Record<Side, MemorySide<Note>>;
let worker: WorkerDeps;
let dir: string;
let failAudit: number;
let leaseTries: number;
let out: string[];

beforeEach(async () => {
  s = freshAppStores();
  clock = new ManualClock();
  const logical = new LogicalClock();
  const faults = new FaultPlan();
  sides = {
    dingtalk: new MemorySide<Note>('dingtalk', 'calendar', logical, faults, noteMatchKeys),
    outlook: new MemorySide<Note>('outlook', 'calendar', logical, faults, noteMatchKeys),
  };
  const endpoint = (side: Side) => ({ adapter: sides[side], folder: FOLDER[side] }) as SideEndpoint<unknown>;
  const endpoints: EndpointsFor = (kind) =>
    kind === 'calendar' ? { dingtalk: endpoint('dingtalk'), outlook: endpoint('outlook') } : undefined;
  worker = { stores: s.stores, endpoints, policy: POLICY, log: s.log, now: () => clock.now() };
  await s.stores.users.save(pairFor(ALICE));
  dir = mkdtempSync(join(tmpdir(), 'undo-'));
  failAudit = 0;
  leaseTries = 15;
  out = [];
});

/** The admin command with undo's ports on this suite's tables and sides. */
async function admin(...argv: string[]): Promise<number> {
  out = [];
  const audit = {
    recordMany: async (entries: AuditEntry[]) => {
      if (failAudit > 0) {
        failAudit -= 1;
        throw new Error('the process died here');
      }
      await s.stores.audit.recordMany(entries);
    },
  };
  const deps: UndoRunDeps = {
    pairState: s.stores.pairState,
    audit,
    users: s.stores.users,
    sides: sides as Record<Side, SideAdapter<unknown>>,
    now: () => clock.now(),
    owner: 'undo:test',
    wait: async () => undefined,
    leaseTries,
  };
  return runAdminCommand(
    ['undo', ...argv],
    { env: {}, out: (line) => out.push(line), err: (text) => out.push(text) },
    { undo: async () => ({ deps, close: async () => undefined }) },
  );
}

const note = (title: string): Note => ({ uid: title, title, body: '' });
const hint = (side: Side): WorkItem => ({
  pairId: ALICE,
  kind: 'calendar',
  side,
  folder: FOLDER[side],
  reason: side === 'dingtalk' ? 'callback' : 'notification',
  hintedAt: clock.now(),
});
/** What the webhooks and the sweep would bring: a pull of each side. */
async function sync(): Promise<void> {
  clock.advance(1000);
  for (const side of ['dingtalk', 'outlook'] as const) await processWork(worker, hint(side));
  clock.advance(1000);
}
const titles = (side: Side) =>
  sides[side]
    .liveItems()
    .map((i) => i.projection.title)
    .sort();
const rows = (action: string) => out.filter((line) => line.startsWith(`${action}\t`));
const plan = (name: string) => join(dir, name);
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Two originals on each side, each copied by the engine to the other side. */
async function copiedBothWays(): Promise<void> {
  sides.dingtalk.userCreate(note('D1'));
  sides.dingtalk.userCreate(note('D2'));
  sides.outlook.userCreate(note('O1'));
  sides.outlook.userCreate(note('O2'));
  await sync();
  expect(titles('dingtalk')).toEqual(['D1', 'D2', 'O1', 'O2']);
  expect(titles('outlook')).toEqual(['D1', 'D2', 'O1', 'O2']);
}

test('the dry run lists the copies and changes nothing; the apply removes exactly those; a re-run finds them gone', async () => {
  await copiedBothWays();
  const writes = sides.dingtalk.writeCount() + sides.outlook.writeCount();
  expect(
    await admin('--user', ALICE, '--kind', 'calendar', '--from', DAY, '--to', DAY, '--out', plan('p1')),
  ).toBe(0);
  expect(
    rows('remove')
      .map((line) => line.split('\t').slice(2, 4).join(' '))
      .sort(),
  ).toEqual(['calendar dingtalk', 'calendar dingtalk', 'calendar outlook', 'calendar outlook']);
  const copyIds = [...sides.dingtalk.liveItems(), ...sides.outlook.liveItems()]
    .filter((item) => item.originKey)
    .map((item) => item.id);
  expect(
    rows('remove')
      .map((line) => line.split('\t')[5])
      .sort(),
  ).toEqual(copyIds.sort());
  expect(out.join('\n')).toMatch(/4 copies would be removed \(dingtalk 2, outlook 2\)/);
  expect(sides.dingtalk.writeCount() + sides.outlook.writeCount()).toBe(writes);
  expect(readFileSync(plan('p1'), 'utf8').trim().split('\n')).toHaveLength(5);

  expect(await admin('--apply', '--plan', plan('p1'))).toBe(0);
  expect(rows('removed')).toHaveLength(4);
  expect(titles('dingtalk')).toEqual(['D1', 'D2']);
  expect(titles('outlook')).toEqual(['O1', 'O2']);
  const audit = (await s.stores.audit.listDay(dayOf(clock.now()).replace(/-/g, ''))).filter(
    (e) => e.action === 'undo',
  );
  expect(audit.map((e) => e.side).sort()).toEqual(['dingtalk', 'dingtalk', 'outlook', 'outlook']);
  const links = await s.stores.pairState.listLinks(ALICE, 'calendar');
  expect(links.every((link) => link.undone && !link.undone.pending)).toBe(true);
  const { state } = await s.stores.pairState.load(ALICE, 'calendar');
  expect(state.leaseOwner).toBeUndefined();

  // The removals come back to the worker as deletions: nothing is sent on, nothing is copied again.
  await sync();
  expect(titles('dingtalk')).toEqual(['D1', 'D2']);
  expect(titles('outlook')).toEqual(['O1', 'O2']);
  // ...nor when an original changes later.
  sides.dingtalk.userUpdate(sides.dingtalk.liveItems()[0].id, note('D1 edited'));
  await sync();
  expect(titles('outlook')).toEqual(['O1', 'O2']);

  // Idempotent: the same apply again removes nothing and fails nothing.
  const deletes = sides.dingtalk.calls.delete + sides.outlook.calls.delete;
  expect(await admin('--apply', '--plan', plan('p1'))).toBe(0);
  expect(rows('gone')).toHaveLength(4);
  expect(sides.dingtalk.calls.delete + sides.outlook.calls.delete).toBe(deletes);
  // A new dry run counts them as done.
  expect(await admin('--all', '--kind', 'calendar', '--from', DAY, '--to', DAY)).toBe(0);
  expect(out.join('\n')).toMatch(/0 copies would be removed.*4 removed by an earlier undo/);
});

test('one direction only: --side outlook removes the copies there and lists the originals there as skipped', async () => {
  await copiedBothWays();
  expect(
    await admin(
      '--user',
      ALICE,
      '--kind',
      'calendar',
      '--side',
      'outlook',
      '--from',
      DAY,
      '--to',
      DAY,
      '--out',
      plan('p'),
    ),
  ).toBe(0);
  expect(rows('skip').map((line) => `${line.split('\t')[3]} ${line.split('\t')[7]}`)).toEqual([
    expect.stringMatching(/^outlook an original/),
    expect.stringMatching(/^outlook an original/),
  ]);
  expect(await admin('--apply', '--plan', plan('p'))).toBe(0);
  expect(titles('outlook')).toEqual(['O1', 'O2']);
  expect(titles('dingtalk')).toEqual(['D1', 'D2', 'O1', 'O2']);
});

test('the apply never removes more than the plan: a copy made after the dry run stays', async () => {
  await copiedBothWays();
  expect(await admin('--all', '--kind', 'calendar', '--from', DAY, '--to', DAY, '--out', plan('p'))).toBe(0);
  sides.dingtalk.userCreate(note('D3'));
  await sync();
  expect(await admin('--apply', '--plan', plan('p'))).toBe(0);
  expect(titles('outlook')).toEqual(['D3', 'O1', 'O2']);
  expect(out.join('\n')).toMatch(/removed 4 /);
});

test('a crash in the middle of the apply: the items stay excluded from sync, and the same command finishes the job', async () => {
  await copiedBothWays();
  expect(await admin('--all', '--kind', 'calendar', '--from', DAY, '--to', DAY, '--out', plan('p'))).toBe(0);
  failAudit = 1;
  expect(await admin('--apply', '--plan', plan('p'))).toBe(1);
  const marked = await s.stores.pairState.listLinks(ALICE, 'calendar');
  expect(marked.filter((link) => link.undone?.pending)).toHaveLength(4);
  // A worker running meanwhile sends nothing on (the lease ran out; the marks hold).
  clock.advance(6 * 60_000);
  await sync();
  expect(titles('dingtalk')).toEqual(['D1', 'D2']);
  expect(titles('outlook')).toEqual(['O1', 'O2']);

  expect(await admin('--apply', '--plan', plan('p'))).toBe(0);
  expect(rows('failed')).toEqual([]);
  expect(rows('gone')).toHaveLength(4);
  expect(
    (await s.stores.pairState.listLinks(ALICE, 'calendar')).every((l) => l.undone && !l.undone.pending),
  ).toBe(true);
  expect(titles('dingtalk')).toEqual(['D1', 'D2']);
  expect(titles('outlook')).toEqual(['O1', 'O2']);
});

test('a pair a worker holds is waited for, then reported busy without removing anything', async () => {
  await copiedBothWays();
  expect(await admin('--all', '--kind', 'calendar', '--from', DAY, '--to', DAY, '--out', plan('p'))).toBe(0);
  const { state } = await s.stores.pairState.load(ALICE, 'calendar');
  await s.stores.pairState.write({ ...state, leaseOwner: 'worker-1', leaseUntil: clock.now() + 60_000 });
  leaseTries = 2;
  expect(await admin('--apply', '--plan', plan('p'))).toBe(1);
  expect(rows('failed')).toHaveLength(4);
  expect(rows('failed')[0]).toMatch(/busy/);
  expect(titles('outlook')).toEqual(['D1', 'D2', 'O1', 'O2']);
});

test('an original is never removed, whatever its link says or lacks', async () => {
  await copiedBothWays();
  // A damaged link: it names the DingTalk original as a copy made from Outlook.
  const links = await s.stores.pairState.listLinks(ALICE, 'calendar');
  const fromDingTalk = links.find((link) => link.origin === 'dingtalk')!;
  const { state } = await s.stores.pairState.load(ALICE, 'calendar');
  await s.stores.pairState.write(state, [{ link: { ...fromDingTalk, origin: 'outlook' } }]);
  const damagedOriginal = fromDingTalk.dingtalkId!;

  expect(await admin('--all', '--kind', 'calendar', '--from', DAY, '--to', DAY, '--out', plan('p'))).toBe(0);
  expect(rows('skip').find((line) => line.includes(damagedOriginal))).toMatch(
    /no longer carries this product's stamp/,
  );

  // A plan edited by hand to name that original and an item no link knows at all: both are checked and kept.
  const stray = sides.outlook.userCreate(note('Personal'));
  const lines = readFileSync(plan('p'), 'utf8').trim().split('\n');
  const item = (id: string, side: Side) =>
    JSON.stringify({ action: 'remove', pairId: ALICE, user: 'x', kind: 'calendar', side, id });
  writeFileSync(
    plan('p'),
    [...lines, item(damagedOriginal, 'dingtalk'), item(stray.id, 'outlook')].join('\n'),
  );
  expect(await admin('--apply', '--plan', plan('p'))).toBe(0);
  expect(titles('dingtalk')).toContain('D1');
  expect(titles('dingtalk')).toContain('D2');
  // Its real copy stays too: the damaged link no longer tells undo which half is the copy.
  expect(titles('outlook')).toEqual(['D1', 'O1', 'O2', 'Personal']);
  expect(rows('skip').find((line) => line.includes(stray.id))).toMatch(/no longer names it as a copy/);
  expect(sides.dingtalk.liveItems().some((i) => i.id === damagedOriginal)).toBe(true);
});

test('a damaged plan or unknown user is refused with a clear message and changes nothing', async () => {
  await copiedBothWays();
  writeFileSync(plan('bad'), '{"format":"something else"}\n');
  expect(await admin('--apply', '--plan', plan('bad'))).toBe(2);
  expect(out.join('')).toMatch(/not an undo plan/);
  expect(await admin('--apply', '--plan', plan('missing'))).toBe(2);
  expect(out.join('')).toMatch(/cannot read the plan/);
  expect(
    await admin('--user', 'nobody@contoso.example', '--kind', 'calendar', '--from', DAY, '--to', DAY),
  ).toBe(2);
  expect(out.join('')).toMatch(/no paired user/);
  expect(titles('outlook')).toEqual(['D1', 'D2', 'O1', 'O2']);
});

test('the dry run never overwrites an existing file', async () => {
  writeFileSync(plan('kept'), 'precious');
  expect(await admin('--all', '--kind', 'calendar', '--from', DAY, '--to', DAY, '--out', plan('kept'))).toBe(
    2,
  );
  expect(readFileSync(plan('kept'), 'utf8')).toBe('precious');
});
