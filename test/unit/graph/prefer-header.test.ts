import {
  ImmutableIdPreferMiddleware,
  mergePreferences,
} from '../../../shared/connectors/graph/prefer-header-middleware';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

describe('Prefer header', () => {
  test('adds IdType="ImmutableId" once and keeps other preferences', () => {
    expect(mergePreferences(undefined, 'IdType="ImmutableId"')).toBe('IdType="ImmutableId"');
    expect(mergePreferences('odata.maxpagesize=50, outlook.timezone="UTC"', 'IdType="ImmutableId"')).toBe(
      'odata.maxpagesize=50, outlook.timezone="UTC", IdType="ImmutableId"',
    );
    expect(mergePreferences('idtype="ImmutableId"', 'IdType="ImmutableId"')).toBe('idtype="ImmutableId"');
  });

  test('the middleware sets it on every request, whatever the header casing', async () => {
    const seen: Record<string, string>[] = [];
    const last: Middleware = {
      execute: async (c: Context) => void seen.push({ ...(c.options!.headers as Record<string, string>) }),
      setNext: () => undefined,
    };
    const mw = new ImmutableIdPreferMiddleware();
    mw.setNext(last);
    await mw.execute({ request: 'https://graph.microsoft.com/v1.0/me', options: {} });
    await mw.execute({
      request: 'https://graph.microsoft.com/v1.0/me',
      options: { headers: { prefer: 'odata.maxpagesize=5' } },
    });
    expect(seen).toEqual([
      { Prefer: 'IdType="ImmutableId"' },
      { Prefer: 'odata.maxpagesize=5, IdType="ImmutableId"' },
    ]);
  });
});
