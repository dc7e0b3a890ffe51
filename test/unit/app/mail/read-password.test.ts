import { PassThrough } from 'node:stream';
import { readPassword } from '../../../../scripts/mail-app-passwords/read-password';

test('on a terminal the password is read in raw mode and nothing of it is echoed', async () => {
  const input = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[] });
  const setRawMode = (mode: boolean) => input.raw.push(mode);
  const shown: string[] = [];
  const reading = readPassword(Object.assign(input, { setRawMode }), (t) => shown.push(t));
  input.write('secrex\u007ft-Pw');
  input.write('\r');
  expect(await reading).toBe('secret-Pw');
  expect(input.raw).toEqual([true, false]);
  expect(shown.join('')).toBe('App password (not shown): \n');
});

test('Ctrl-C cancels; from a pipe the first line is the password', async () => {
  const tty = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const cancelled = readPassword(tty, () => undefined);
  tty.write('abc\u0003');
  await expect(cancelled).rejects.toThrow(/cancelled/);
  const pipe = new PassThrough();
  pipe.end('piped-Pw\r\nignored\n');
  expect(await readPassword(pipe, () => undefined)).toBe('piped-Pw');
});
