import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS, loadConfig } from '../../shared/platform/config';

const sample = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../local.settings.sample.json'), 'utf8'),
) as {
  Values: Record<string, string>;
};

describe('local.settings.sample.json', () => {
  test('documents every setting the app reads', () => {
    const documented = new Set(Object.keys(sample.Values));
    expect(Object.keys(SETTINGS).filter((name) => !documented.has(name))).toEqual([]);
  });

  test('names no setting the app does not read', () => {
    const known = new Set([...Object.keys(SETTINGS), 'FUNCTIONS_WORKER_RUNTIME']);
    expect(Object.keys(sample.Values).filter((name) => !known.has(name))).toEqual([]);
  });

  test('is a valid sandbox configuration as it stands', () => {
    const config = loadConfig(sample.Values);
    expect(config.mode).toBe('sandbox');
    expect(config.graph.baseUrl).toBe('https://127.0.0.1:7443');
    // The Azure-only identity settings are listed empty: empty counts as unset, so the connection string serves.
    expect(sample.Values.AzureWebJobsStorage__accountName).toBe('');
    expect(sample.Values.AZURE_CLIENT_ID).toBe('');
    expect(config.storage).toEqual({ connectionString: 'UseDevelopmentStorage=true' });
  });
});
