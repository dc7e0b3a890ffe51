import { readFile } from 'node:fs/promises';
import { runAppPasswordsCommand, type CommandDeps, type CommandIO } from '../mail-app-passwords/command';

/**
 * `npm run admin -- app-passwords <action>`: the mailbox app passwords in Key Vault (docs/mail-app-passwords.md).
 * The same command as `npm run mail:app-passwords -- <action>`, which stays as an alias: this only hands it the
 * admin command's output and, unless a test gives its own, the process's standard input and file system.
 */
export function runAppPasswords(
  argv: string[],
  io: Pick<CommandIO, 'env' | 'out' | 'err'> & Partial<Pick<CommandIO, 'stdin' | 'readFile'>>,
  deps: CommandDeps = {},
): Promise<number> {
  return runAppPasswordsCommand(
    argv,
    {
      env: io.env,
      out: io.out,
      err: io.err,
      stdin: io.stdin ?? process.stdin,
      readFile: io.readFile ?? ((path) => readFile(path, 'utf8')),
    },
    deps,
  );
}
