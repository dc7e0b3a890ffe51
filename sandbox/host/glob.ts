/**
 * The subset of globby that package.json "main" needs: `*`, `?`, `**`, `[...]` and `{a,b}` (nestable), matched
 * against files under a root. Like globby's defaults, wildcards do not match names that start with a dot.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Expands `{a,b}` alternatives into separate patterns: `src/{a,b/*}.js` → `src/a.js`, `src/b/*.js`. */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth += 1;
    else if (ch === '}') {
      depth -= 1;
      if (depth === 0) {
        const head = pattern.slice(0, open);
        const tail = pattern.slice(i + 1);
        if (commas.length === 0) {
          // `{a}` has no alternatives: globby keeps it literally.
          return expandBraces(tail).map((rest) => `${head}{${pattern.slice(open + 1, i)}}${rest}`);
        }
        const bounds = [open, ...commas, i];
        const options = bounds.slice(0, -1).map((start, k) => pattern.slice(start + 1, bounds[k + 1]));
        return options.flatMap((option) => expandBraces(head + option + tail));
      }
    } else if (ch === ',' && depth === 1) commas.push(i);
  }
  return [pattern];
}

/** One path segment's wildcard pattern (no `/`, no braces) as an anchored RegExp. */
export function segmentToRegExp(segment: string): RegExp {
  let source = segment.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) source += '\\[';
      else {
        const body = segment
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** A glob without braces, compiled to a matcher over `/`-separated relative paths. */
export function compileGlob(pattern: string): (relativePath: string) => boolean {
  const segments = normalise(pattern).split('/');
  const matchers = segments.map((s) => (s === '**' ? null : segmentToRegExp(s)));
  const matchFrom = (p: number, parts: string[], q: number): boolean => {
    if (p === matchers.length) return q === parts.length;
    const matcher = matchers[p];
    if (matcher === null) {
      for (let k = q; k <= parts.length; k++) {
        if (k > q && parts[k - 1].startsWith('.')) break;
        if (matchFrom(p + 1, parts, k)) return true;
      }
      return false;
    }
    return q < parts.length && matcher.test(parts[q]) && matchFrom(p + 1, parts, q + 1);
  };
  return (relativePath) => matchFrom(0, relativePath.split('/'), 0);
}

/** Files under `root` matching `pattern`, as absolute paths, sorted so the load order is stable. */
export function globFiles(root: string, pattern: string): string[] {
  const found = new Set<string>();
  for (const single of expandBraces(pattern)) {
    const normalised = normalise(single);
    const matches = compileGlob(normalised);
    const base = literalPrefix(normalised);
    const segments = normalised.split('/');
    const enter = {
      nodeModules: segments.includes('node_modules'),
      dotDirs: segments.some((s) => s.startsWith('.')),
    };
    for (const relative of walk(path.join(root, base), base, enter)) {
      if (matches(relative)) found.add(path.join(root, relative));
    }
  }
  return [...found].sort();
}

function normalise(pattern: string): string {
  return pattern.replace(/\\/g, '/').replace(/^\.\//, '');
}

function literalPrefix(pattern: string): string {
  const segments = pattern.split('/');
  const literal: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}]/.test(segment)) break;
    literal.push(segment);
  }
  return literal.join('/');
}

function* walk(
  dir: string,
  relativeDir: string,
  enter: { nodeModules: boolean; dotDirs: boolean },
): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && isDirectorySafe(full));
    if (isDirectory) {
      if (entry.name === 'node_modules' && !enter.nodeModules) continue;
      if (entry.name.startsWith('.') && !enter.dotDirs) continue;
      yield* walk(full, relative, enter);
    } else {
      yield relative;
    }
  }
}

function isDirectorySafe(full: string): boolean {
  try {
    return fs.statSync(full).isDirectory();
  } catch {
    return false;
  }
}
