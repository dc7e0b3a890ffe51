import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTableOperations } from '../../../bench/pipeline/table-counter';
import { runAdminCommand } from '../../../scripts/admin/command';
import type { AuditSource } from '../../../scripts/admin/audit-export';
import type { AuditEntry } from '../../../shared/sync/types';
import { freshAppStores, pairFor, type AppStores } from './support';

/** `npm run admin -- audit` against real day partitions (Azurite): ranges, filters, formats and its queries. */

const ALICE = 'pair-alice-0001';
const BOB = 'pair-bob-00002';
const GONE = 'pair-gone-0003';
const NOW = Date.parse('2026-12-01T10:00:00Z');

const tricky = '周会, "第二次"\n改到 15:00';

const ENTRIES: AuditEntry[] = [
  {
    at: '2026-11-27T23:59:59.000Z',
    pairId: ALICE,
    kind: 'calendar',
    side: 'outlook',
    action: 'create',
    reason: 'N4: new item (outside)',
  },
  {
    at: '2026-11-28T00:00:00.000Z',
    pairId: ALICE,
    kind: 'calendar',
    side: 'outlook',
    action: 'create',
    reason: 'N4: new item',
    dingtalkId: 'dt-1',
    outlookId: 'ol-1',
  },
  {
    at: '2026-11-28T08:00:00.000Z',
    pairId: BOB,
    kind: 'mail',
    side: 'dingtalk',
    action: 'update',
    reason: 'L3: changed on the pulled side only',
  },
  {
    at: '2026-11-29T12:00:00.000Z',
    pairId: ALICE,
    kind: 'calendar',
    side: 'dingtalk',
    action: 'conflict',
    reason: `${tricky}; newest-wins chose dingtalk`,
    detail: JSON.stringify({ dingtalk: { title: tricky }, outlook: { title: '周会' } }),
  },
  {
    at: '2026-11-30T01:00:00.000Z',
    pairId: GONE,
    kind: 'todo',
    side: 'outlook',
    action: 'delete',
    reason: 'L5: deleted on the pulled side',
  },
  {
    at: '2026-12-01T09:00:00.000Z',
    pairId: ALICE,
    kind: 'mail',
    action: 'failure',
    reason: 'will retry: pull failed: HTTP 503',
  },
  {
    at: '2026-12-01T09:30:00.000Z',
    pairId: BOB,
    kind: 'calendar',
    side: 'outlook',
    action: 'dry-run',
    reason: 'create: N4: new item',
  },
];
/** Newest first, as the export writes them, without the row outside 2026-11-28..2026-12-01. */
const IN_RANGE = ENTRIES.slice(1).reverse();

let s: AppStores;
let source: AuditSource;
let dir: string;
let counter: ReturnType<typeof countTableOperations>;

beforeAll(async () => {
  s = freshAppStores();
  await s.stores.users.save(pairFor(ALICE, { email: 'Zhang.Wei@contoso.example' }));
  await s.stores.users.save(pairFor(BOB));
  await s.stores.audit.recordMany(ENTRIES);
  source = { storage: s.storage, tableName: `${s.prefix}audit`, users: s.stores.users };
  counter = countTableOperations(s.storage);
  dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function audit(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runAdminCommand(
    ['audit', ...argv],
    {
      env: {},
      out: (line) => (stdout += `${line}\n`),
      err: (text) => (stderr += text),
      write: (text) => {
        stdout += text;
      },
    },
    { audit: source, now: () => NOW },
  );
  return { code, stdout, stderr };
}

const RANGE = ['--from', '2026-11-28', '--to', '2026-12-01'];

const jsonl = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEntry);

test('a range of days, newest first, as one JSON array; the day before it is left out', async () => {
  const { code, stdout, stderr } = await audit(...RANGE);
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toEqual(IN_RANGE);
  expect(stderr).toBe('6 audit rows from 2026-11-28 to 2026-12-01 (UTC)\n');
});

test('without dates: the last 7 UTC days up to today', async () => {
  const { code, stdout } = await audit('--format', 'jsonl');
  expect(code).toBe(0);
  expect(jsonl(stdout)).toEqual([...ENTRIES].reverse());
});

test('filters: a user by address or pair id, kind, side and action, alone and together', async () => {
  const at = async (...argv: string[]) => {
    const { code, stdout } = await audit(...RANGE, '--format', 'jsonl', ...argv);
    expect(code).toBe(0);
    return jsonl(stdout).map((entry) => entry.at);
  };
  const ats = (keep: (entry: AuditEntry) => boolean) => IN_RANGE.filter(keep).map((entry) => entry.at);

  expect(await at('--user', 'zhang.wei@CONTOSO.example')).toEqual(ats((e) => e.pairId === ALICE));
  expect(await at('--user', BOB)).toEqual(ats((e) => e.pairId === BOB));
  // A pair id stands as given: the audit outlives the pairing.
  expect(await at('--user', GONE)).toEqual(ats((e) => e.pairId === GONE));
  expect(await at('--kind', 'calendar')).toEqual(ats((e) => e.kind === 'calendar'));
  expect(await at('--side', 'dingtalk')).toEqual(ats((e) => e.side === 'dingtalk'));
  expect(await at('--action', 'failure')).toEqual(ats((e) => e.action === 'failure'));
  expect(await at('--user', ALICE, '--kind', 'calendar', '--side', 'outlook')).toEqual([
    '2026-11-28T00:00:00.000Z',
  ]);
  expect(await at('--kind', 'sentmail')).toEqual([]);
});

/** RFC 4180 records, as a reader that knows quoting sees them. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(quoted).toBe(false);
  expect(field).toBe('');
  return records;
}

test('CSV to a file: BOM, header, Chinese text with commas, quotes and newlines intact', async () => {
  const file = join(dir, 'audit.csv');
  const { code, stdout, stderr } = await audit(...RANGE, '--format', 'csv', '--out', file);
  expect(code).toBe(0);
  expect(stdout).toBe('');
  expect(stderr).toContain(`6 audit rows from 2026-11-28 to 2026-12-01 (UTC) to ${file}`);

  const bytes = readFileSync(file);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
  expect(header).toEqual([
    'at',
    'pairId',
    'kind',
    'side',
    'action',
    'dingtalkId',
    'outlookId',
    'reason',
    'detail',
  ]);
  expect(rows).toEqual(
    IN_RANGE.map((e) =>
      [e.at, e.pairId, e.kind, e.side, e.action, e.dingtalkId, e.outlookId, e.reason, e.detail].map(
        (v) => v ?? '',
      ),
    ),
  );
  const conflict = rows.find((row) => row[4] === 'conflict')!;
  expect(conflict[7]).toBe(`${tricky}; newest-wins chose dingtalk`);
  expect(JSON.parse(conflict[8])).toEqual({ dingtalk: { title: tricky }, outlook: { title: '周会' } });

  const bare = await audit(...RANGE, '--format', 'csv', '--no-bom', '--user', BOB);
  expect(bare.stdout.startsWith('at,pairId,')).toBe(true);
  expect(parseCsv(bare.stdout)).toHaveLength(3);
});

test('one query per day of the range, each pinned to its partition; an address costs one read of the users', async () => {
  const before = counter.counts();
  expect((await audit(...RANGE, '--user', 'zhang.wei@contoso.example', '--kind', 'calendar')).code).toBe(0);
  const after = counter.counts();
  const queriesOf = (table: string) =>
    (after.byKind[`${s.prefix}${table} GET query`] ?? 0) -
    (before.byKind[`${s.prefix}${table} GET query`] ?? 0);
  expect(queriesOf('audit')).toBe(4);
  expect(queriesOf('users')).toBe(1);
  expect(after.requests - before.requests).toBe(5);
  // The users list is the one read across a table (as for the pause command); the audit is never scanned.
  expect(after.tableScans - before.tableScans).toBe(1);
  // Only matching rows travel: the filter is in the query.
  expect(
    (after.rowsReadByTable[`${s.prefix}audit`] ?? 0) - (before.rowsReadByTable[`${s.prefix}audit`] ?? 0),
  ).toBe(2);
});

test.each([
  [['--from', '2026-11-31'], /--from must be a date as YYYY-MM-DD/],
  [['--from', '2026-12-01', '--to', '2026-11-01'], /--to \(2026-11-01\) is before --from/],
  [['--from', '2025-01-01', '--to', '2026-12-01'], /at most 366/],
  [['--kind', 'calender'], /--kind must be one of/],
  [['--side', 'teams'], /--side must be one of/],
  [['--format', 'xml'], /--format must be one of json, jsonl, csv/],
])('bad input %j: exit 2, the reason and the usage, no stack trace', async (argv, message) => {
  const { code, stdout, stderr } = await audit(...argv);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toMatch(message);
  expect(stderr).toContain('Usage: npm run admin -- audit');
  expect(stderr).not.toMatch(/\n\s+at /);
});

test('an address of nobody paired, or an --out that cannot be written: exit 2 before any audit query', async () => {
  const before = counter.counts().byKind[`${s.prefix}audit GET query`] ?? 0;
  const nobody = await audit('--user', 'nobody@contoso.example');
  expect(nobody.code).toBe(2);
  expect(nobody.stderr).toMatch(
    /no paired user "nobody@contoso.example"; for a user since unpaired, give the pair id/,
  );
  const unwritable = await audit('--out', join(dir, 'missing', 'audit.json'));
  expect(unwritable.code).toBe(2);
  expect(unwritable.stderr).toMatch(/^cannot write ".*audit\.json": ENOENT/);
  expect(counter.counts().byKind[`${s.prefix}audit GET query`] ?? 0).toBe(before);
});

test('help lists the audit options', async () => {
  const { code, stdout } = await audit('--help');
  expect(code).toBe(0);
  expect(stdout).toContain(
    '--format <format>   json (one array, the default), jsonl (one object per line) or csv',
  );
});
