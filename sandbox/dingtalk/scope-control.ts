import type { FakeState } from './fake-state';
import { controlRoute } from './routes-control';
import type { Route } from './routing';

/**
 * The developer console's permission page (权限管理) of the fake: withhold a permission to see how the product
 * reports it, grant it again. Names as DingTalk spells them (Calendar.Event.Read, Todo.Todo.Read,
 * qyapi_ext_read, qyapi_get_member, …; scopes.ts lists which API needs which).
 */
export interface ScopeControl {
  withholdScopes(scopes: string[]): void;
  grantScopes(scopes: string[]): void;
  withheldScopes(): string[];
}

export function scopeControl(state: FakeState): ScopeControl {
  return {
    withholdScopes(scopes) {
      for (const s of scopes) state.scopes.withheld.add(s);
    },
    grantScopes(scopes) {
      for (const s of scopes) state.scopes.withheld.delete(s);
    },
    withheldScopes: () => [...state.scopes.withheld].sort(),
  };
}

/** `GET /_control/scopes` → {withheld}; `PUT /_control/scopes {withhold?: [], grant?: []}`. */
export function scopeControlRoutes(control: ScopeControl): Route[] {
  const names = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  return [
    controlRoute('GET', '/_control/scopes', () => ({ withheld: control.withheldScopes() })),
    controlRoute('PUT', '/_control/scopes', (_, b) => {
      control.withholdScopes(names(b.withhold));
      control.grantScopes(names(b.grant));
      return { withheld: control.withheldScopes() };
    }),
  ];
}
