/** App-setting binding expressions: `%NAME%` in a binding property is replaced by the app setting NAME. */

export class UnresolvedSettingError extends Error {
  constructor(readonly setting: string) {
    super(`'%${setting}%' does not resolve to a value.`);
    this.name = 'UnresolvedSettingError';
  }
}

export function resolveSettingExpressions(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const resolved = env[name];
    if (resolved === undefined) throw new UnresolvedSettingError(name);
    return resolved;
  });
}
