/**
 * ASP.NET Core route templates as the Functions host uses them: literal segments (case-insensitive), `{name}`,
 * `{name?}`, `{name=default}`, `{name:constraint(args)}`, catch-all `{*rest}` / `{**rest}`, and complex segments
 * such as `{name}.{ext}`. A trailing slash on the request path is ignored.
 */
import { createRouteConstraint, type RouteConstraint } from './route-constraints';

interface RouteParameter {
  name: string;
  constraints: RouteConstraint[];
  optional: boolean;
  defaultValue?: string;
  catchAll: boolean;
}

type SegmentPart = { literal: string } | { parameter: RouteParameter };

interface Segment {
  parts: SegmentPart[];
  pattern: RegExp;
  parameters: RouteParameter[];
}

export interface CompiledRouteTemplate {
  template: string;
  /**
   * Lower sorts first: per segment 1 literal, 2 complex, 3 constrained parameter, 4 parameter, 5 catch-all
   * (ASP.NET's inbound precedence), so `items/new` is tried before `items/{id}`.
   */
  precedence: number[];
  match(pathSegments: string[]): Record<string, string> | null;
}

export function compileRouteTemplate(template: string): CompiledRouteTemplate {
  const trimmed = template.replace(/^~?\/+/, '').replace(/\/+$/, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((text) => compileSegment(text, template));
  segments.forEach((segment, index) => {
    const catchAll = segment.parameters.find((p) => p.catchAll);
    if (catchAll && index !== segments.length - 1) {
      throw new Error(`Route template "${template}": a catch-all parameter must be the last segment.`);
    }
  });
  return {
    template,
    precedence: segments.map(precedenceOf),
    match: (pathSegments) => matchSegments(segments, pathSegments),
  };
}

/** Splits a request path into decoded segments, dropping one trailing slash. */
export function pathSegmentsOf(pathname: string): string[] {
  const parts = pathname.replace(/^\/+/, '').split('/');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
}

export function comparePrecedence(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function precedenceOf(segment: Segment): number {
  if (segment.parameters.length === 0) return 1;
  if (segment.parts.length > 1) return 2;
  const [parameter] = segment.parameters;
  if (parameter.catchAll) return 5;
  return parameter.constraints.length > 0 ? 3 : 4;
}

function matchSegments(segments: Segment[], path: string[]): Record<string, string> | null {
  const values: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const single =
      segment.parts.length === 1 && 'parameter' in segment.parts[0] ? segment.parts[0].parameter : undefined;
    if (single?.catchAll) {
      const rest = path.slice(i).join('/');
      if (rest === '') {
        if (single.defaultValue !== undefined) values[single.name] = single.defaultValue;
      } else if (single.constraints.every((ok) => ok(rest))) {
        values[single.name] = rest;
      } else return null;
      return values;
    }
    if (i >= path.length) {
      if (single && (single.optional || single.defaultValue !== undefined)) {
        if (single.defaultValue !== undefined) values[single.name] = single.defaultValue;
        continue;
      }
      return null;
    }
    const found = segment.pattern.exec(path[i]);
    if (!found) return null;
    for (let k = 0; k < segment.parameters.length; k++) {
      const parameter = segment.parameters[k];
      const value = found[k + 1];
      if (!parameter.constraints.every((ok) => ok(value))) return null;
      values[parameter.name] = value;
    }
  }
  return path.length > segments.length ? null : values;
}

function compileSegment(text: string, template: string): Segment {
  const parts: SegmentPart[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{' && text[i + 1] === '{') {
      literal += '{';
      i += 1;
    } else if (ch === '}' && text[i + 1] === '}') {
      literal += '}';
      i += 1;
    } else if (ch === '{') {
      const end = closingBrace(text, i + 1);
      if (end < 0) throw new Error(`Route template "${template}": unbalanced "{".`);
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ parameter: parseParameter(text.slice(i + 1, end), template) });
      i = end;
    } else if (ch === '}') {
      throw new Error(`Route template "${template}": unbalanced "}".`);
    } else literal += ch;
  }
  if (literal) parts.push({ literal });
  const parameters = parts.flatMap((p) => ('parameter' in p ? [p.parameter] : []));
  if (parameters.some((p) => p.catchAll) && parts.length > 1) {
    throw new Error(`Route template "${template}": a catch-all parameter must be a whole segment.`);
  }
  // Greedy captures leave each literal its right-most occurrence: ASP.NET matches complex segments right to left.
  const source = parts
    .map((part) => ('literal' in part ? part.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : '(.+)'))
    .join('');
  return { parts, parameters, pattern: new RegExp(`^${source}$`, 'i') };
}

function closingBrace(text: string, from: number): number {
  let parens = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') parens += 1;
    else if (ch === ')') parens -= 1;
    else if (parens > 0 && (ch === '{' || ch === '}') && text[i + 1] === ch) i += 1;
    else if (ch === '}' && parens === 0) return i;
  }
  return -1;
}

function parseParameter(body: string, template: string): RouteParameter {
  let rest = body;
  const catchAll = rest.startsWith('*');
  rest = rest.replace(/^\*{1,2}/, '');
  let defaultValue: string | undefined;
  const equals = indexOutsideParens(rest, '=');
  if (equals >= 0) {
    defaultValue = rest.slice(equals + 1);
    rest = rest.slice(0, equals);
  }
  let optional = false;
  if (rest.endsWith('?')) {
    optional = true;
    rest = rest.slice(0, -1);
  }
  const [name, ...constraintTexts] = splitOutsideParens(rest, ':');
  if (!name || /[{}/?*=]/.test(name))
    throw new Error(`Route template "${template}": bad parameter "{${body}}".`);
  const constraints = constraintTexts.map((text) => {
    const m = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(text);
    if (!m) throw new Error(`Route template "${template}": bad constraint "${text}".`);
    const args =
      m[2] === undefined ? [] : m[1].toLowerCase() === 'regex' ? [unescapeBraces(m[2])] : m[2].split(',');
    return createRouteConstraint(m[1], args);
  });
  return { name, constraints, optional, defaultValue, catchAll };
}

function unescapeBraces(text: string): string {
  return text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
}

function indexOutsideParens(text: string, needle: string): number {
  let parens = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') parens += 1;
    else if (text[i] === ')') parens -= 1;
    else if (text[i] === needle && parens === 0) return i;
  }
  return -1;
}

function splitOutsideParens(text: string, separator: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let at = indexOutsideParens(text, separator);
  while (at >= 0) {
    pieces.push(text.slice(start, start + at));
    start += at + 1;
    at = indexOutsideParens(text.slice(start), separator);
  }
  pieces.push(text.slice(start));
  return pieces;
}
