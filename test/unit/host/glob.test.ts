import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileGlob, expandBraces, globFiles } from '../../../sandbox/host/glob';

describe('expandBraces', () => {
  test('expands alternatives, nested ones too', () => {
    expect(expandBraces('dist/src/{index.js,functions/*.js}')).toEqual([
      'dist/src/index.js',
      'dist/src/functions/*.js',
    ]);
    expect(expandBraces('{a,b{1,2}}/x')).toEqual(['a/x', 'b1/x', 'b2/x']);
  });

  test('leaves a pattern without alternatives alone', () => {
    expect(expandBraces('dist/functions/*.js')).toEqual(['dist/functions/*.js']);
    expect(expandBraces('odd/{name}.js')).toEqual(['odd/{name}.js']);
  });
});

describe('compileGlob', () => {
  test('* stays within one segment', () => {
    const matches = compileGlob('dist/functions/*.js');
    expect(matches('dist/functions/webhook.js')).toBe(true);
    expect(matches('dist/functions/nested/webhook.js')).toBe(false);
    expect(matches('dist/functions/webhook.js.map')).toBe(false);
  });

  test('** spans any number of segments, zero included', () => {
    const matches = compileGlob('src/**/*.js');
    expect(matches('src/a.js')).toBe(true);
    expect(matches('src/x/y/z.js')).toBe(true);
    expect(matches('lib/a.js')).toBe(false);
  });

  test('wildcards do not match dot files or dot folders, as in globby', () => {
    expect(compileGlob('src/*.js')('src/.hidden.js')).toBe(false);
    expect(compileGlob('src/**/*.js')('src/.cache/a.js')).toBe(false);
    expect(compileGlob('src/.hidden.js')('src/.hidden.js')).toBe(true);
  });

  test('? and [...] match single characters', () => {
    expect(compileGlob('f?.js')('f1.js')).toBe(true);
    expect(compileGlob('f?.js')('f12.js')).toBe(false);
    expect(compileGlob('f[0-3].js')('f2.js')).toBe(true);
    expect(compileGlob('f[0-3].js')('f7.js')).toBe(false);
    expect(compileGlob('f[!0-3].js')('f7.js')).toBe(true);
  });
});

describe('globFiles', () => {
  let root: string;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'glob-'));
    for (const file of [
      'dist/index.js',
      'dist/functions/b.js',
      'dist/functions/a.js',
      'dist/functions/a.js.map',
      'dist/functions/deep/c.js',
      'dist/node_modules/x.js',
    ]) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), '');
    }
  });

  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('returns absolute, sorted, de-duplicated paths', () => {
    expect(globFiles(root, 'dist/{index.js,functions/*.js,functions/a.js}')).toEqual(
      ['dist/functions/a.js', 'dist/functions/b.js', 'dist/index.js'].map((f) => path.join(root, f)),
    );
  });

  test('does not descend into node_modules unless the pattern names it', () => {
    expect(globFiles(root, 'dist/**/*.js').map((f) => path.relative(root, f))).toEqual([
      'dist/functions/a.js',
      'dist/functions/b.js',
      'dist/functions/deep/c.js',
      'dist/index.js',
    ]);
    expect(globFiles(root, 'dist/node_modules/*.js')).toEqual([path.join(root, 'dist/node_modules/x.js')]);
  });

  test('a missing folder matches nothing', () => {
    expect(globFiles(root, 'nowhere/*.js')).toEqual([]);
  });
});
