import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applySettings, readLocalSettings } from '../../../sandbox/host/app-settings';
import { resolveSettingExpressions } from '../../../sandbox/host/setting-expressions';
import { resolveStorageConnectionString } from '../../../sandbox/host/queues/queue-connection';

const created: string[] = [];
afterAll(() => created.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function appWith(localSettings: unknown): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-settings-'));
  created.push(root);
  fs.writeFileSync(path.join(root, 'local.settings.json'), JSON.stringify(localSettings));
  return root;
}

describe('readLocalSettings', () => {
  test('reads Values as strings and the local port', () => {
    expect(
      readLocalSettings(
        appWith({ IsEncrypted: false, Values: { A: 'x', N: 5, B: true }, Host: { LocalHttpPort: 7072 } }),
      ),
    ).toEqual({
      values: { A: 'x', N: '5', B: 'true' },
      localHttpPort: 7072,
    });
  });

  test('no file means no settings', () => {
    expect(readLocalSettings(os.tmpdir() + '/surely-no-such-app')).toBeUndefined();
  });

  test('an encrypted file or an object value is an error', () => {
    expect(() => readLocalSettings(appWith({ IsEncrypted: true, Values: {} }))).toThrow(/encrypted/);
    expect(() => readLocalSettings(appWith({ Values: { A: { nested: 1 } } }))).toThrow(
      /"A" must be a string/,
    );
  });
});

describe('applySettings', () => {
  test('overrides always, fills the rest only where unset, and restores exactly', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'env', PINNED: 'env' };
    const restore = applySettings(env, {
      override: { PINNED: 'code' },
      ifUnset: { KEEP: 'file', NEW: 'file', PINNED: 'file' },
    });
    expect(env).toEqual({ KEEP: 'env', PINNED: 'code', NEW: 'file' });
    restore();
    expect(env).toEqual({ KEEP: 'env', PINNED: 'env' });
  });
});

describe('resolveSettingExpressions', () => {
  test('replaces %NAME% with the app setting', () => {
    expect(resolveSettingExpressions('%QUEUE%-%ENV%', { QUEUE: 'work', ENV: 'dev' })).toBe('work-dev');
    expect(resolveSettingExpressions('no settings here', {})).toBe('no settings here');
  });

  test('a missing setting is an error naming it', () => {
    expect(() => resolveSettingExpressions('%MISSING%', {})).toThrow(
      "'%MISSING%' does not resolve to a value.",
    );
  });
});

describe('resolveStorageConnectionString', () => {
  test('looks up the setting, then AzureWebJobs<setting>, defaulting to AzureWebJobsStorage', () => {
    expect(resolveStorageConnectionString('Data', { Data: 'one' })).toBe('one');
    expect(resolveStorageConnectionString('Data', { AzureWebJobsData: 'two' })).toBe('two');
    expect(resolveStorageConnectionString(undefined, { AzureWebJobsStorage: 'three' })).toBe('three');
  });

  test('missing and identity-based connections are explained', () => {
    expect(() => resolveStorageConnectionString('Data', {})).toThrow(
      "Storage account connection string 'Data' does not exist",
    );
    expect(() => resolveStorageConnectionString('Data', { Data__queueServiceUri: 'https://x' })).toThrow(
      /identity-based/,
    );
  });
});
