/**
 * `npm run preflight`: checks the configured deployment (docs/preflight.md) with the settings the app itself reads —
 * the environment, then local.settings.json's Values for what the environment does not set — and prints one line
 * per check. Exit code 1 when a check fails. Sandbox mode (the default) checks a running `npm start`.
 */
import { readFile } from 'node:fs/promises';
import {
  createPreflightDeps,
  MAILBOX_CHECK_MS,
  preflightPassed,
  runPreflight,
  type PreflightDeps,
} from '../shared/app/preflight';
import { formatPreflightLine } from '../shared/app/preflight/format';
import { ConfigError, loadConfig } from '../shared/platform/config';
import { createLogger, redactText } from '../shared/platform/logger';
import { createStorage } from '../shared/platform/storage';
import { createStores } from '../shared/store';

export interface PreflightIO {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(text: string): void;
  /** local.settings.json's text, or undefined when there is none. */
  localSettings(): Promise<string | undefined>;
}

/** The environment wins over local.settings.json, as on the Functions host. */
export function settingsFrom(
  env: Record<string, string | undefined>,
  localSettingsText: string | undefined,
): Record<string, string | undefined> {
  if (!localSettingsText) return env;
  const parsed = JSON.parse(localSettingsText) as { Values?: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (typeof value === 'string') values[name] = value;
  }
  return { ...values, ...env };
}

export async function runPreflightCommand(
  io: PreflightIO,
  build: (settings: Record<string, string | undefined>) => PreflightDeps = depsFor,
): Promise<number> {
  let deps: PreflightDeps;
  try {
    let text: string | undefined;
    try {
      text = await io.localSettings();
    } catch {
      text = undefined;
    }
    deps = build(settingsFrom(io.env, text));
  } catch (err) {
    const message =
      err instanceof ConfigError ? err.message : redactText(String((err as Error)?.message ?? err));
    io.err(`the settings are not usable, so nothing was checked:\n${message}\n`);
    return 1;
  }
  io.out(`preflight of the ${deps.config.mode} deployment at ${deps.config.publicBaseUrl}`);
  const results = await runPreflight(deps);
  for (const r of results) io.out(redactText(formatPreflightLine(r)));
  const failed = results.filter((r) => r.ok === false).length;
  io.out(failed ? `${failed} check${failed === 1 ? '' : 's'} failed` : 'all checks passed');
  return preflightPassed(results) ? 0 : 1;
}

function depsFor(settings: Record<string, string | undefined>): PreflightDeps {
  const config = loadConfig(settings);
  // Errors only: the checks' own lines say what went wrong, and retries would only interleave with them.
  const log = createLogger({ level: 'error' });
  return createPreflightDeps(config, createStores(createStorage(config.storage)), log, {
    mailboxCheckMs: MAILBOX_CHECK_MS.command,
  });
}

if (require.main === module) {
  runPreflightCommand({
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (text) => process.stderr.write(text),
    localSettings: () =>
      readFile('local.settings.json', 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      }),
  })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`unexpected failure: ${redactText((err as Error)?.message ?? String(err))}\n`);
      process.exitCode = 1;
    });
}
