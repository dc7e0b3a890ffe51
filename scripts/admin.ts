/**
 * `npm run admin -- pause [--kind <kind>] [--user <email or pair id>] | resume [...] [--all] | status`: the pause
 * switch (docs/runbook.md, "Pause and resume"); `audit [...]`: the audit export (docs/runbook.md, "Export the audit");
 * `app-passwords <action>`: the mailboxes' app passwords in Key Vault (docs/mail-app-passwords.md).
 */
import { once } from 'node:events';
import { redactText } from '../shared/platform/logger';
import { runAdminCommand } from './admin/command';

runAdminCommand(process.argv.slice(2), {
  env: process.env,
  out: (line) => process.stdout.write(`${line}\n`),
  err: (text) => process.stderr.write(text),
  write: async (text) => {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  },
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`unexpected failure: ${redactText((err as Error)?.message ?? String(err))}\n`);
    process.exitCode = 1;
  });
