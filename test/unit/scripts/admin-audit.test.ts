import { UsageError } from '../../../scripts/admin/args';
import { parseAuditArgs } from '../../../scripts/admin/audit-args';
import { auditEncoder, csvField, csvRecord, UTF8_BOM } from '../../../shared/app/audit-format';
import { throughLines } from '../../../scripts/admin/audit-export';
import type { AuditEntry } from '../../../shared/sync/types';

const TODAY = '20261207';

describe('parseAuditArgs', () => {
  test('without options: the last 7 UTC days, JSON to standard output', () => {
    expect(parseAuditArgs([], TODAY)).toEqual({
      kind: 'audit',
      fromDay: '20261201',
      toDay: '20261207',
      format: 'json',
      bom: true,
    });
  });

  test('every filter and option', () => {
    expect(
      parseAuditArgs(
        [
          '--from',
          '2026-02-27',
          '--to',
          '2026-03-01',
          '--user',
          'zhang.wei@contoso.com',
          '--kind',
          'mail',
          '--side',
          'outlook',
          '--action',
          'dry-run',
          '--format',
          'csv',
          '--no-bom',
          '--out',
          'audit.csv',
        ],
        TODAY,
      ),
    ).toEqual({
      kind: 'audit',
      fromDay: '20260227',
      toDay: '20260301',
      user: 'zhang.wei@contoso.com',
      syncKind: 'mail',
      side: 'outlook',
      action: 'dry-run',
      format: 'csv',
      bom: false,
      out: 'audit.csv',
    });
  });

  test('--to alone ends the 7 days there; --from alone runs to today; --help', () => {
    expect(parseAuditArgs(['--to', '2026-01-03'], TODAY)).toMatchObject({
      fromDay: '20251228',
      toDay: '20260103',
    });
    expect(parseAuditArgs(['--from', '2026-06-01'], TODAY)).toMatchObject({
      fromDay: '20260601',
      toDay: TODAY,
    });
    expect(parseAuditArgs(['--kind', 'mail', '--help'], TODAY)).toEqual({ kind: 'audit-help' });
  });

  test('366 days are allowed (a leap year), 367 are not', () => {
    expect(parseAuditArgs(['--from', '2024-01-01', '--to', '2024-12-31'], TODAY)).toMatchObject({
      fromDay: '20240101',
      toDay: '20241231',
    });
    expect(() => parseAuditArgs(['--from', '2024-01-01', '--to', '2025-01-01'], TODAY)).toThrow(
      /covers 367 days; at most 366/,
    );
    expect(() => parseAuditArgs(['--from', '2025-01-01'], TODAY)).toThrow(/at most 366/);
  });

  test.each([
    [['--from', '2026-02-30'], /--from must be a date as YYYY-MM-DD, not "2026-02-30"/],
    [['--to', '2026-1-5'], /--to must be a date/],
    [['--from', 'yesterday'], /--from must be a date/],
    [['--from', '2026-12-05', '--to', '2026-12-01'], /--to \(2026-12-01\) is before --from \(2026-12-05\)/],
    [['--kind', 'notes'], /--kind must be one of calendar, mail, sentmail, todo, contact, not "notes"/],
    [['--side', 'exchange'], /--side must be one of dingtalk, outlook/],
    [['--action', 'write'], /--action must be one of create, update/],
    [['--format', 'xlsx'], /--format must be one of json, jsonl, csv/],
    [['--user'], /--user needs a value/],
    [['--out', '--format', 'csv'], /--out needs a value/],
    [['--kind', 'mail', '--kind', 'todo'], /--kind is given twice/],
    [['--no-bom'], /--no-bom applies to --format csv only/],
    [['--all'], /unknown argument "--all" for audit/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseAuditArgs(argv, TODAY)).toThrow(UsageError);
    expect(() => parseAuditArgs(argv, TODAY)).toThrow(message);
  });
});

describe('CSV', () => {
  test('fields with a comma, a quote, CR or LF are quoted, quotes doubled; others bare', () => {
    expect(csvField('plain 文本')).toBe('plain 文本');
    expect(csvField(undefined)).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvRecord(['x', '周会,第"2"次', undefined])).toBe('x,"周会,第""2""次",\r\n');
  });

  test('a BOM, a header and one record per row, missing fields empty', () => {
    const encoder = auditEncoder('csv', { bom: true });
    const entry: AuditEntry = {
      at: '2026-12-01T02:00:00.000Z',
      pairId: 'p1',
      kind: 'calendar',
      action: 'failure',
      reason: 'refused by dingtalk: 标题, "过长"',
    };
    expect(encoder.head).toBe(`${UTF8_BOM}at,pairId,kind,side,action,dingtalkId,outlookId,reason,detail\r\n`);
    expect(encoder.row(entry, 0)).toBe(
      '2026-12-01T02:00:00.000Z,p1,calendar,,failure,,,"refused by dingtalk: 标题, ""过长""",\r\n',
    );
    expect(auditEncoder('csv', { bom: false }).head.startsWith('at,')).toBe(true);
  });
});

describe('JSON', () => {
  const a: AuditEntry = {
    at: 'A',
    pairId: 'p',
    kind: 'mail',
    action: 'create',
    reason: 'r',
    side: 'outlook',
  };
  const b: AuditEntry = { at: 'B', pairId: 'p', kind: 'mail', action: 'delete', reason: '"q"\n' };

  const whole = (format: 'json' | 'jsonl', rows: AuditEntry[]) => {
    const encoder = auditEncoder(format);
    return encoder.head + rows.map((row, i) => encoder.row(row, i)).join('') + encoder.tail;
  };

  test('json is one array, also when empty; fields in column order', () => {
    expect(JSON.parse(whole('json', [a, b]))).toEqual([a, b]);
    expect(whole('json', [])).toBe('[]\n');
    expect(whole('json', [a])).toBe(
      '[\n{"at":"A","pairId":"p","kind":"mail","side":"outlook","action":"create","reason":"r"}]\n',
    );
  });

  test('jsonl is one object per line', () => {
    const lines = whole('jsonl', [a, b]).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(lines.slice(0, 2).map((line) => JSON.parse(line))).toEqual([a, b]);
  });
});

test('throughLines hands over whole lines only, however the text is cut', () => {
  const lines: string[] = [];
  const write = throughLines((line) => lines.push(line));
  write('[\n{"a"');
  write(':1}');
  write(']\n');
  expect(lines).toEqual(['[', '{"a":1}]']);
});
