/**
 * The HTTP routes of an app: `<routePrefix>/<route ?? function name>`, tried most specific first. A path that
 * matches only routes of other methods is answered 404, as the Functions host does (it has no 405).
 */
import type { RegisteredFunction } from '../functions-core';
import { triggerBindingOf, triggerKindOf } from '../describe';
import type { HostLog } from '../log';
import { resolveSettingExpressions } from '../setting-expressions';
import { comparePrecedence, compileRouteTemplate, type CompiledRouteTemplate } from './route-template';

export interface HttpRoute {
  fn: RegisteredFunction;
  /** The full template, prefix included, e.g. `api/items/{id}`. */
  template: string;
  /** Upper-case; undefined allows every method. */
  methods?: string[];
  authLevel: string;
  compiled: CompiledRouteTemplate;
}

export interface RouteMatch {
  route: HttpRoute;
  params: Record<string, string>;
}

export function buildRouteTable(
  functions: RegisteredFunction[],
  routePrefix: string,
  log: HostLog,
): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    const trigger = triggerBindingOf(fn);
    if (triggerKindOf(trigger.type) !== 'http') continue;
    try {
      const route = resolveSettingExpressions(
        typeof trigger.route === 'string' ? trigger.route : fn.name,
      ).replace(/^\/+/, '');
      const template = [routePrefix, route].filter(Boolean).join('/');
      routes.push({
        fn,
        template,
        methods: Array.isArray(trigger.methods)
          ? trigger.methods.map((m) => String(m).toUpperCase())
          : undefined,
        authLevel: typeof trigger.authLevel === 'string' ? trigger.authLevel : 'anonymous',
        compiled: compileRouteTemplate(template),
      });
    } catch (error) {
      log.error(
        `The function '${fn.name}' is in error and was not given a route: ${(error as Error).message}`,
      );
    }
  }
  return routes.sort((a, b) => comparePrecedence(a.compiled.precedence, b.compiled.precedence));
}

export function findRoute(
  routes: HttpRoute[],
  method: string,
  pathSegments: string[],
): RouteMatch | undefined {
  const upper = method.toUpperCase();
  for (const route of routes) {
    if (route.methods && !route.methods.includes(upper)) continue;
    const params = route.compiled.match(pathSegments);
    if (params) return { route, params };
  }
  return undefined;
}
