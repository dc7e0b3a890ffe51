/**
 * App settings for a local run. As Core Tools does, local.settings.json "Values" become environment variables,
 * but never override a variable that is already set. Settings given in code (`env`) do override, so a test can
 * pin them. Everything applied can be undone, so a stopped host leaves process.env as it found it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LocalSettings {
  values: Record<string, string>;
  localHttpPort?: number;
}

export function readLocalSettings(appRoot: string): LocalSettings | undefined {
  const file = path.join(appRoot, 'local.settings.json');
  if (!fs.existsSync(file)) return undefined;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    IsEncrypted?: boolean;
    Values?: Record<string, unknown>;
    Host?: { LocalHttpPort?: unknown };
  };
  if (parsed.IsEncrypted) {
    throw new Error(
      `${file} is encrypted ("IsEncrypted": true); the local host can only read plain settings.`,
    );
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') throw new Error(`${file}: the value of "${name}" must be a string.`);
    values[name] = String(value);
  }
  const port = Number(parsed.Host?.LocalHttpPort);
  return { values, localHttpPort: Number.isInteger(port) && port >= 0 ? port : undefined };
}

/** Applies settings to `target`; the returned function restores every variable it touched. */
export function applySettings(
  target: NodeJS.ProcessEnv,
  settings: { override?: Record<string, string>; ifUnset?: Record<string, string> },
): () => void {
  const previous = new Map<string, string | undefined>();
  const set = (name: string, value: string) => {
    if (!previous.has(name)) previous.set(name, target[name]);
    target[name] = value;
  };
  for (const [name, value] of Object.entries(settings.override ?? {})) set(name, value);
  for (const [name, value] of Object.entries(settings.ifUnset ?? {})) {
    if (target[name] === undefined) set(name, value);
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete target[name];
      else target[name] = value;
    }
  };
}
