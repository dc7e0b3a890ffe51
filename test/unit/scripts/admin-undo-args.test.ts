import { UsageError } from '../../../scripts/admin/args';
import { parseUndoArgs } from '../../../scripts/admin/undo-args';

const DAY = 86_400_000;

describe('npm run admin -- undo: the command line', () => {
  test('a dry run for one user: dates are whole UTC days, --to included', () => {
    expect(
      parseUndoArgs([
        '--user',
        'zhang.wei@contoso.com',
        '--kind',
        'calendar',
        '--from',
        '2026-05-01',
        '--to',
        '2026-05-31',
      ]),
    ).toEqual({
      kind: 'undo-dry-run',
      user: 'zhang.wei@contoso.com',
      syncKind: 'calendar',
      fromMs: Date.UTC(2026, 4, 1),
      toMs: Date.UTC(2026, 4, 31) + DAY,
    });
  });

  test('a dry run for everyone, one side, exact times with their zone, a plan file', () => {
    expect(
      parseUndoArgs([
        '--all',
        '--kind',
        'mail',
        '--side',
        'outlook',
        '--from',
        '2026-05-01T09:00:00+08:00',
        '--to',
        '2026-05-01T10:30Z',
        '--out',
        'plan.jsonl',
      ]),
    ).toEqual({
      kind: 'undo-dry-run',
      syncKind: 'mail',
      side: 'outlook',
      fromMs: Date.UTC(2026, 4, 1, 1),
      toMs: Date.UTC(2026, 4, 1, 10, 30),
      out: 'plan.jsonl',
    });
  });

  test('the apply takes only its plan', () => {
    expect(parseUndoArgs(['--apply', '--plan', 'plan.jsonl'])).toEqual({
      kind: 'undo-apply',
      plan: 'plan.jsonl',
    });
    expect(parseUndoArgs(['--help'])).toEqual({ kind: 'undo-help' });
  });

  test.each([
    [['--kind', 'calendar', '--from', '2026-05-01', '--to', '2026-05-02'], 'either --user'],
    [
      ['--all', '--user', 'x', '--kind', 'calendar', '--from', '2026-05-01', '--to', '2026-05-02'],
      'either --user',
    ],
    [['--all', '--from', '2026-05-01', '--to', '2026-05-02'], '--kind is needed'],
    [['--all', '--kind', 'notes', '--from', '2026-05-01', '--to', '2026-05-02'], '--kind must be one of'],
    [['--all', '--kind', 'todo', '--to', '2026-05-02'], '--from and --to are needed'],
    [['--all', '--kind', 'todo', '--from', '2026-02-30', '--to', '2026-05-02'], '--from must be a date'],
    [
      ['--all', '--kind', 'todo', '--from', '2026-02-30T10:00Z', '--to', '2026-05-02'],
      '--from must be a date',
    ],
    [
      ['--all', '--kind', 'todo', '--from', '2026-05-01T10:00', '--to', '2026-05-02'],
      '--from must be a date',
    ],
    [['--all', '--kind', 'todo', '--from', '2026-05-03', '--to', '2026-05-02'], 'is not after'],
    [
      ['--all', '--kind', 'todo', '--from', '2026-05-01', '--to', '2026-05-02', '--side', 'both'],
      '--side must be',
    ],
    [
      ['--all', '--kind', 'todo', '--from', '2026-05-01', '--to', '2026-05-02', '--plan', 'p'],
      '--plan goes with',
    ],
    [['--all', '--all', '--kind', 'todo'], 'given twice'],
    [['--apply'], '--apply needs --plan'],
    [['--apply', '--plan', 'p', '--kind', 'todo'], 'leave out --kind'],
    [['--all', '--kind'], '--kind needs a value'],
    [['--everyone'], 'unknown argument'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseUndoArgs(argv)).toThrow(UsageError);
    expect(() => parseUndoArgs(argv)).toThrow(message);
  });
});
