import type { Context, Middleware } from '@microsoft/microsoft-graph-client';

/**
 * Adds `IdType="ImmutableId"` to the Prefer header of every request. Outlook ids then survive folder moves, and
 * subscriptions created with it deliver immutable ids (a subscription cannot be switched later). Preferences a
 * request already set (odata.maxpagesize, outlook.timezone) are kept: one Prefer value, comma-separated (RFC 7240).
 */
export const IMMUTABLE_ID_PREFERENCE = 'IdType="ImmutableId"';

export function mergePreferences(existing: string | undefined, add: string): string {
  const parts = (existing ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const name = add.split('=')[0].trim().toLowerCase();
  if (!parts.some((p) => p.split('=')[0].trim().toLowerCase() === name)) parts.push(add);
  return parts.join(', ');
}

export class ImmutableIdPreferMiddleware implements Middleware {
  private next: Middleware | undefined;

  async execute(context: Context): Promise<void> {
    context.options ??= {};
    const headers = (context.options.headers ?? {}) as Record<string, string>;
    const key = Object.keys(headers).find((k) => k.toLowerCase() === 'prefer');
    const merged = mergePreferences(key ? headers[key] : undefined, IMMUTABLE_ID_PREFERENCE);
    if (key && key !== 'Prefer') delete headers[key];
    headers.Prefer = merged;
    context.options.headers = headers;
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
