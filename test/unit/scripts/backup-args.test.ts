import { UsageError } from '../../../scripts/admin/args';
import { parseStateArgs } from '../../../scripts/admin/backup-args';

test('backup to a file or a blob; restore from either, with --dry-run and --force', () => {
  expect(parseStateArgs(['backup', '--out', 'state.jsonl.gz'])).toEqual({
    kind: 'backup',
    target: { kind: 'file', path: 'state.jsonl.gz' },
  });
  expect(parseStateArgs(['backup', '--blob', 'backups/2026/12/state.jsonl.gz'])).toEqual({
    kind: 'backup',
    target: { kind: 'blob', container: 'backups', name: '2026/12/state.jsonl.gz' },
  });
  expect(parseStateArgs(['restore', '--in', 'state.jsonl', '--dry-run'])).toEqual({
    kind: 'restore',
    source: { kind: 'file', path: 'state.jsonl' },
    dryRun: true,
    force: false,
  });
  expect(parseStateArgs(['restore', '--force', '--blob', 'sync-backups/a.gz'])).toMatchObject({
    source: { kind: 'blob', container: 'sync-backups', name: 'a.gz' },
    force: true,
  });
  expect(parseStateArgs(['restore', '--help'])).toEqual({ kind: 'state-help' });
});

test('a missing or doubled location, a bad container, and flags of the other command are usage errors', () => {
  expect(() => parseStateArgs(['backup'])).toThrow(/backup needs --out <file> or --blob/);
  expect(() => parseStateArgs(['restore', '--in', 'a', '--blob', 'c/b'])).toThrow(
    /give one of --in and --blob/,
  );
  expect(() => parseStateArgs(['backup', '--out'])).toThrow(/--out needs a value/);
  expect(() => parseStateArgs(['backup', '--blob', 'Backups/x'])).toThrow(/lower-case/);
  expect(() => parseStateArgs(['backup', '--blob', 'ab/x'])).toThrow(UsageError);
  expect(() => parseStateArgs(['backup', '--blob', 'backups'])).toThrow(UsageError);
  expect(() => parseStateArgs(['backup', '--blob', 'back--ups/x'])).toThrow(UsageError);
  expect(() => parseStateArgs(['backup', '--in', 'x'])).toThrow(/unknown argument "--in" for backup/);
  expect(() => parseStateArgs(['backup', '--out', 'x', '--force'])).toThrow(/unknown argument "--force"/);
  expect(() => parseStateArgs(['restore', '--out', 'x'])).toThrow(/unknown argument "--out" for restore/);
});
