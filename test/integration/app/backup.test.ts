import { BlobServiceClient } from '@azure/storage-blob';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { runAdminCommand } from '../../../scripts/admin/command';
import { withPause } from '../../../shared/store/control-store';
import { deleteWhere } from '../../../shared/store/table-ops';
import { tableNames, type TableNames } from '../../../shared/store/table-names';
import { freshAppStores, pairFor, type AppStores } from './support';

/**
 * `npm run admin -- backup | restore` on real tables and blobs (Azurite): the round trip gives back identical
 * rows, a restore refuses over newer state or while sync runs unless forced, and a damaged file changes nothing.
 */

const connection = () => process.env.TEST_AZURITE_CONNECTION!;
const ALICE = '11111111-aaaa-4aaa-8aaa-000000000001';
const BOB = '22222222-bbbb-4bbb-8bbb-000000000002';
const CAROL = '33333333-cccc-4ccc-8ccc-000000000003';
/** A string property at Azure's 64 KiB limit (UTF-16): 32,000 characters, many outside ASCII. */
const BIG = '周'.repeat(16_000) + 'x'.repeat(16_000);
const BACKED_UP: Array<keyof TableNames> = [
  'users',
  'pairState',
  'mailCredentials',
  'colleagues',
  'subscriptions',
  'quota',
  'jobs',
];

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'state-backup-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function world(): Promise<AppStores & { names: TableNames }> {
  const app = freshAppStores();
  const names = tableNames(app.prefix);
  const { stores, storage } = app;
  await stores.users.saveMany([
    pairFor(ALICE, {}, ['calendar', 'mail']),
    pairFor(BOB, { status: 'disabled' }),
    pairFor(CAROL, {}, ['todo']),
  ]);
  const pairstate = await storage.table(names.pairState);
  await pairstate.upsertEntity({
    partitionKey: `${ALICE}|calendar`,
    rowKey: 'state',
    leaseOwner: '',
    leaseUntil: 0,
    outlookCursor: 'outlook-calendar:eyJ3aW5kb3ciOnt9fQ',
    dingtalkCursor: 'dt1:sync:abc',
    outlookListedAt: 1_764_583_200_000,
    intents: JSON.stringify([{ id: 'i-1', side: 'outlook', planned: true }]),
    big64: { value: '9007199254740993', type: 'Int64' },
    ratio: 0.25,
    whole: { value: '3', type: 'Double' } as never,
    flag: true,
    seenAt: new Date('2026-11-30T08:00:00.123Z'),
    guid: { value: 'c9b1e1d4-55b3-4a43-9d3b-2f6f2b1d9a10', type: 'Guid' },
    bytes: new Uint8Array([0, 1, 2, 250]),
  });
  // Links, one partition, 150 rows: two transactions; three near the 1 MiB entity limit.
  const links = Array.from({ length: 150 }, (_, i) => ({
    partitionKey: `${ALICE}|calendar`,
    rowKey: `${i % 2 ? 'outlook' : 'dingtalk'}|id-${String(i).padStart(4, '0')}%2Fx`,
    linkId: `link-${i}`,
    dingtalkVersion: `1764583200000#${i}`,
    outlookVersion: `ck-${i}`,
    tombstone: i % 10 === 0,
  }));
  for (const link of links) await pairstate.upsertEntity(link);
  for (let i = 0; i < 3; i++) {
    const props: Record<string, string> = {};
    for (let p = 0; p < 15; p++) props[`copy${p}`] = BIG;
    await pairstate.upsertEntity({ partitionKey: `${CAROL}|todo`, rowKey: `outlook|big-${i}`, ...props });
  }
  await stores.mailCredentials.save({
    email: 'alice@contoso.example',
    pairId: ALICE,
    secretVersion: 'v1',
    attempts: 3,
    firstRejectedAt: '2026-11-30T08:00:00.000Z',
    lastRejectedAt: '2026-11-30T08:02:00.000Z',
    stopped: true,
  });
  await (
    await storage.table(names.colleagues)
  ).upsertEntity({ partitionKey: 'user', rowKey: 'zhangwei', name: '张伟' });
  await stores.subscriptions.markPending([CAROL], { firstSync: true });
  const subscriptions = await storage.table(names.subscriptions);
  await subscriptions.upsertEntity({
    partitionKey: 'sub|graph-sub-1',
    rowKey: 'subscription',
    pairId: ALICE,
  });
  await (
    await storage.table(names.quota)
  ).upsertEntity({ partitionKey: 'dingtalk-calls', rowKey: '2026-12', count: 420 });
  await (
    await storage.table(names.jobs)
  ).upsertEntity({ partitionKey: 'job', rowKey: 'sweep', progress: 'x' });
  await (
    await storage.table(names.failures)
  ).upsertEntity({ partitionKey: ALICE, rowKey: 'calendar.outlook.calendar' });
  await stores.control.update((c) => withPause(withPause(c, { kind: 'mail' }), { pairId: BOB }), Date.now());
  return { ...app, names };
}

const pauseAll = (app: AppStores) => app.stores.control.update((c) => withPause(c, {}), Date.now());

/** Every row of a table as the service keeps it, without its Timestamp and ETag. */
async function rowsOf(app: AppStores & { names: TableNames }, role: keyof TableNames) {
  const table = await app.storage.table(app.names[role]);
  const rows: Array<Record<string, unknown>> = [];
  for await (const row of table.listEntities<Record<string, unknown>>({ disableTypeConversion: true })) {
    const { timestamp: _t, etag: _e, ...rest } = row;
    rows.push(rest);
  }
  return rows;
}

async function snapshot(app: AppStores & { names: TableNames }) {
  const all: Record<string, unknown> = {};
  for (const role of [...BACKED_UP, 'failures' as const]) all[role] = await rowsOf(app, role);
  return all;
}

/** Deletes every row the backup holds, as a lost or emptied table would be; the pause switch stays. */
async function wipe(app: AppStores & { names: TableNames }) {
  for (const role of BACKED_UP) {
    const filter = role === 'jobs' ? "PartitionKey ne 'control'" : "PartitionKey ne ''";
    await deleteWhere(await app.storage.table(app.names[role]), filter);
  }
}

async function admin(app: AppStores & { names: TableNames }, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdminCommand(
    argv,
    { env: {}, out: (line) => out.push(line), err: (text) => err.push(text) },
    {
      state: {
        tables: { storage: app.storage, names: app.names },
        blobs: () => BlobServiceClient.fromConnectionString(connection()),
      },
    },
  );
  return { code, out: out.join('\n'), err: err.join('') };
}

test('backup, wipe, restore gives back identical rows; the restore can run again; what is not backed up is left alone', async () => {
  const app = await world();
  await pauseAll(app);
  const file = join(dir, 'round-trip.jsonl.gz');
  const backup = await admin(app, ['backup', '--out', file]);
  expect(backup).toMatchObject({ code: 0, err: '' });
  expect(backup.out).toMatch(
    /users 9, pairstate 154, mailcredentials 1, colleagues 1, subscriptions 1 \(pending pairs\), quota 1, jobs 1/,
  );

  const lines = gunzipSync(readFileSync(file)).toString('utf8').trimEnd().split('\n');
  const header = JSON.parse(lines[0]);
  const footer = JSON.parse(lines.at(-1)!);
  expect(header).toMatchObject({ format: 'dingtalk-m365-sync/state-backup', formatVersion: 1, paused: true });
  expect(header.productVersion).toMatch(/^\d+\.\d+\.\d+/);
  expect(Date.parse(header.createdAt)).toBeLessThanOrEqual(Date.now());
  const hash = createHash('sha256');
  for (const line of lines.slice(0, -1)) hash.update(`${line}\n`);
  expect(footer.sha256).toBe(hash.digest('hex'));
  // Neither the subscription record, nor a job's progress, nor a failure is in the file.
  expect(
    lines.some(
      (l) => l.includes('graph-sub-1') || l.includes('"sweep"') || l.includes('calendar.outlook.calendar'),
    ),
  ).toBe(false);

  const before = await snapshot(app);
  await wipe(app);
  await app.stores.control.update((c) => ({ ...c, pausedKinds: [], pausedPairs: [] }), Date.now());
  expect(await rowsOf(app, 'pairState')).toEqual([]);

  const restore = await admin(app, ['restore', '--in', file]);
  expect(restore.err).toBe('');
  expect(restore.code).toBe(0);
  expect(restore.out).toMatch(/no pair or pairstate row changed after the backup began/);
  expect(restore.out).toMatch(
    /restored: users 9, pairstate 154, mailcredentials 1, colleagues 1, subscriptions 1 \(pending pairs\), quota 1, jobs 1/,
  );
  expect(restore.out).toMatch(/2 active pairs marked/);

  const after = await snapshot(app);
  for (const role of ['users', 'pairState', 'mailCredentials', 'colleagues', 'quota', 'failures'] as const) {
    expect(after[role]).toEqual(before[role]);
  }
  // The pending pairs as they were, plus a mark for each active pair; no subscription record comes back.
  const pending = await app.stores.subscriptions.listPending(Date.now(), 100);
  expect(pending.map((p) => [p.pairId, p.firstSync]).sort()).toEqual([
    [ALICE, false],
    [CAROL, true],
  ]);
  expect(
    (after.subscriptions as Array<{ partitionKey: string }>).some((r) => r.partitionKey.startsWith('sub|')),
  ).toBe(false);
  // The switch: its kinds and users as backed up, the organisation still paused.
  const control = await app.stores.control.read();
  expect(control).toMatchObject({ paused: true, pausedKinds: ['mail'], pausedPairs: [BOB] });

  // Run again (a restore cut short is re-run the same way): its own writes are not "newer state".
  const again = await admin(app, ['restore', '--in', file]);
  expect(again).toMatchObject({ code: 0, err: '' });
  expect(await rowsOf(app, 'pairState')).toEqual(before.pairState);
});

test('a restore over newer state, or while sync runs, is refused and changes nothing; --force restores', async () => {
  const app = await world();
  // Taken while sync runs, a backup's moment is the second it began (the service's Date header): rows written in
  // that same second would count as newer.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const file = join(dir, 'newer.jsonl');
  expect((await admin(app, ['backup', '--out', file])).err).toMatch(/sync was running/);
  const pairstate = await app.storage.table(app.names.pairState);
  await pairstate.upsertEntity(
    { partitionKey: `${ALICE}|calendar`, rowKey: 'state', outlookCursor: 'moved-on' },
    'Merge',
  );
  const before = await snapshot(app);

  const running = await admin(app, ['restore', '--in', file]);
  expect(running.code).toBe(2);
  expect(running.err).toMatch(/refused: sync is not paused for the whole organisation/);
  expect(running.err).toMatch(
    new RegExp(`refused: 1 row changed after the backup began[^]*pairstate {2}${ALICE}\\|calendar {2}state`),
  );
  expect(running.err).toMatch(/nothing was changed; --force restores all the same/);

  await pauseAll(app);
  const dry = await admin(app, ['restore', '--in', file, '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.out).toMatch(/dry run: nothing written\. A restore would write users 9, pairstate 154/);
  expect(dry.out).toMatch(/it would refuse: 1 row changed after the backup began/);
  const paused = await admin(app, ['restore', '--in', file]);
  expect(paused.code).toBe(2);
  expect(paused.err).not.toMatch(/not paused/);
  const unchanged = await snapshot(app);
  expect(unchanged.pairState).toEqual(before.pairState);
  expect(unchanged.users).toEqual(before.users);

  const forced = await admin(app, ['restore', '--in', file, '--force']);
  expect(forced.code).toBe(0);
  expect(forced.out).toMatch(/newer state not looked for \(--force\)/);
  const state = await pairstate.getEntity<{ outlookCursor: string }>(`${ALICE}|calendar`, 'state');
  expect(state.outlookCursor).toBe('outlook-calendar:eyJ3aW5kb3ciOnt9fQ');
});

test('a damaged, cut-short or altered file is refused with exit 2 before any write', async () => {
  const app = await world();
  await pauseAll(app);
  const good = join(dir, 'good.jsonl');
  expect((await admin(app, ['backup', '--out', good])).code).toBe(0);
  const text = readFileSync(good, 'utf8');
  const lines = text.trimEnd().split('\n');
  await wipe(app);
  const empty = await snapshot(app);

  const variants: Array<[string, Buffer | string, RegExp]> = [
    [
      'truncated.jsonl.gz',
      gzipSync(text).subarray(0, 4000),
      /not readable gzip, or it was cut short|cut short/,
    ],
    ['no-footer.jsonl', lines.slice(0, -1).join('\n') + '\n', /before its footer: it was cut short/],
    ['altered.jsonl', text.replace('dt1:sync:abc', 'dt1:sync:abd'), /checksum does not match/],
    ['not-json.jsonl', [lines[0], '{"t":', ...lines.slice(1)].join('\n'), /line 2: not JSON/],
    [
      'foreign.jsonl',
      [lines[0], '{"t":"audit","pk":"20261201","rk":"x","p":{}}', ...lines.slice(1)].join('\n'),
      /line 2: .*table "audit"/,
    ],
    [
      'bad-key.jsonl',
      [lines[0], '{"t":"users","pk":"a/b","rk":"x","p":{}}', ...lines.slice(1)].join('\n'),
      /line 2: .*PartitionKey/,
    ],
    ['empty.jsonl', '', /the file is empty/],
  ];
  for (const [name, content, reason] of variants) {
    const path = join(dir, name);
    writeFileSync(path, content);
    const result = await admin(app, ['restore', '--in', path]);
    expect({ name, code: result.code }).toEqual({ name, code: 2 });
    expect(result.err).toMatch(/^the backup cannot be used: /);
    expect(result.err).toMatch(reason);
    expect(result.err).toMatch(/nothing was changed\n$/);
  }
  expect(await snapshot(app)).toEqual(empty);
  const marker = await (
    await app.storage.table(app.names.jobs)
  )
    .listEntities({ queryOptions: { filter: "PartitionKey eq 'restore'" } })
    .next();
  expect(marker.done).toBe(true);
});

test('to and from a blob on the storage account; an existing file or blob is never overwritten', async () => {
  const app = await world();
  await pauseAll(app);
  const name = `${app.prefix}/state.jsonl.gz`;
  expect((await admin(app, ['backup', '--blob', `backups/${name}`])).code).toBe(0);
  const again = await admin(app, ['backup', '--blob', `backups/${name}`]);
  expect(again).toMatchObject({ code: 2, err: expect.stringMatching(/blob backups\/.* exists already/) });
  const blob = BlobServiceClient.fromConnectionString(connection())
    .getContainerClient('backups')
    .getBlobClient(name);
  expect((await blob.getProperties()).contentType).toBe('application/gzip');

  const before = await snapshot(app);
  await wipe(app);
  const restore = await admin(app, ['restore', '--blob', `backups/${name}`]);
  expect(restore).toMatchObject({ code: 0, err: '' });
  expect((await snapshot(app)).pairState).toEqual(before.pairState);

  const file = join(dir, 'exists.jsonl');
  writeFileSync(file, 'keep me');
  expect(await admin(app, ['backup', '--out', file])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/exists already/),
  });
  expect(readFileSync(file, 'utf8')).toBe('keep me');
  expect(await admin(app, ['restore', '--blob', 'backups/missing.jsonl'])).toMatchObject({
    code: 2,
    err: expect.stringMatching(/there is no blob backups\/missing\.jsonl/),
  });
});
