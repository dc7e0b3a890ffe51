import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../support/paths';

/** host.json's functionTimeout ("hh:mm:ss") in ms: how long any invocation, the timer's included, may run. */
export function functionTimeoutMs(): number | null {
  try {
    const host = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'host.json'), 'utf8')) as {
      functionTimeout?: string;
    };
    const parts = host.functionTimeout?.split(':').map(Number);
    if (!parts || parts.length !== 3 || parts.some((n) => !Number.isFinite(n))) return null;
    return ((parts[0]! * 60 + parts[1]!) * 60 + parts[2]!) * 1000;
  } catch {
    return null;
  }
}
