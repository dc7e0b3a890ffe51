import { parseAdminArgs, UsageError } from '../../../scripts/admin/args';

test('pause, resume and status with their options', () => {
  expect(parseAdminArgs(['pause'])).toEqual({ kind: 'pause', user: undefined, syncKind: undefined });
  expect(parseAdminArgs(['pause', '--kind', 'mail', '--user', 'a@contoso.com'])).toEqual({
    kind: 'pause',
    user: 'a@contoso.com',
    syncKind: 'mail',
  });
  expect(parseAdminArgs(['resume', '--all'])).toEqual({
    kind: 'resume',
    user: undefined,
    syncKind: undefined,
    all: true,
  });
  expect(parseAdminArgs(['status'])).toEqual({ kind: 'status' });
  expect(parseAdminArgs([])).toEqual({ kind: 'help' });
});

test('a wrong kind, a missing value, --all with a scope and unknown words are usage errors', () => {
  expect(() => parseAdminArgs(['pause', '--kind', 'notes'])).toThrow(/--kind must be one of/);
  expect(() => parseAdminArgs(['pause', '--user'])).toThrow(/needs a value/);
  expect(() => parseAdminArgs(['resume', '--all', '--kind', 'mail'])).toThrow(/give it alone/);
  expect(() => parseAdminArgs(['pause', '--all'])).toThrow(UsageError);
  expect(() => parseAdminArgs(['status', '--kind', 'mail'])).toThrow(UsageError);
  expect(() => parseAdminArgs(['stop'])).toThrow(/unknown command/);
});
