import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** The product version from package.json, found by walking up from the compiled or source file. */
export function productVersion(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dingtalk-m365-sync') return (cached = pkg.version ?? '0.0.0');
    }
    dir = path.dirname(dir);
  }
  return (cached = '0.0.0');
}
