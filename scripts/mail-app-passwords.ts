/**
 * `npm run mail:app-passwords -- --csv <file> | --set <email> | --list | --reset <email> [--vault <url>]`:
 * stores the per-mailbox IMAP app passwords in Key Vault (docs/mail-app-passwords.md). The same command as
 * `npm run admin -- app-passwords …` (scripts/admin/app-passwords.ts), kept under its earlier name.
 */
import { readFile } from 'node:fs/promises';
import { redactText } from '../shared/platform/logger';
import { runAppPasswordsCommand } from './mail-app-passwords/command';

runAppPasswordsCommand(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`unexpected failure: ${redactText((err as Error)?.message ?? String(err))}\n`);
    process.exitCode = 1;
  });
