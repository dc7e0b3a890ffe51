import type { IncomingHttpHeaders } from 'node:http';
import type { Family, FakeResponse } from './wire-errors';

/** One DingTalk operation the fake serves, matched by method and path template. */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  bodyText: string;
  /** Parsed JSON body; undefined when the body is empty or not JSON. */
  json: unknown;
  params: Record<string, string>;
}

export interface Route {
  family: Family;
  /** The SDK operation name for v1.0 (as in schemas/dingtalk-api.json), the path for oapi. */
  operation: string;
  method: string;
  template: string;
  /** Whether an access token is required (all but the token endpoints). */
  auth: boolean;
  handle(req: FakeRequest): FakeResponse | Promise<FakeResponse>;
}

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[] = [];

  add(...routes: Route[]): void {
    for (const route of routes) {
      const names: string[] = [];
      const source = route.template
        .split('/')
        .map((part) => {
          const m = /^\{(\w+)\}$/.exec(part);
          if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          names.push(m[1]!);
          return '([^/]+)';
        })
        .join('/');
      this.compiled.push({ route, pattern: new RegExp(`^${source}$`), names });
    }
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const c of this.compiled) {
      if (c.route.method !== method) continue;
      const m = c.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { route: c.route, params };
    }
    return undefined;
  }
}
