import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Checks a JSON value against a model of test/schemas/dingtalk-api.json: every field present must be
 * declared, with a value of the declared type, recursively. Absent fields are fine (the file says nothing about
 * which are required).
 */

export type Models = Record<string, Record<string, string>>;

interface SchemaFile {
  modules: Record<string, { operations: Record<string, { method: string; path: string }>; models: Models }>;
}

export const SCHEMA_PATH =
  process.env.DINGTALK_SCHEMA_PATH ?? resolve(__dirname, '../../schemas/dingtalk-api.json');

export function loadSchema(path = SCHEMA_PATH): SchemaFile {
  return JSON.parse(readFileSync(path, 'utf8')) as SchemaFile;
}

/** The module that declares an operation, or undefined. */
export function moduleOf(schema: SchemaFile, operation: string) {
  return Object.values(schema.modules).find((m) => operation in m.operations);
}

export function violationsOf(value: unknown, type: string, models: Models, at = '$'): string[] {
  if (value === null || value === undefined) return [];
  const array = /^array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [`${at}: expected an array (${type})`];
    return value.flatMap((v, i) => violationsOf(v, array[1]!, models, `${at}[${i}]`));
  }
  const map = /^map<string,(.+)>$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object (${type})`];
    if (map[1] === 'any') return [];
    return Object.entries(value).flatMap(([k, v]) => violationsOf(v, map[1]!, models, `${at}.${k}`));
  }
  if (type === 'string' || type === 'number' || type === 'boolean') {
    return typeof value === type ? [] : [`${at}: expected ${type}, got ${JSON.stringify(value)}`];
  }
  const model = models[type];
  if (!model) return [`${at}: unknown type ${type}`];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object (${type})`];
  return Object.entries(value).flatMap(([k, v]) =>
    k in model ? violationsOf(v, model[k]!, models, `${at}.${k}`) : [`${at}.${k}: not declared in ${type}`],
  );
}

/** Query strings carry every value as text: check only that a numeric/boolean field holds a number/boolean text. */
export function queryViolationsOf(query: Record<string, string>, type: string, models: Models): string[] {
  const model = models[type] ?? {};
  return Object.entries(query).flatMap(([k, v]) => {
    const declared = model[k];
    if (!declared) return [`?${k}: not declared in ${type}`];
    if (declared === 'number' && !/^-?\d+(\.\d+)?$/.test(v)) return [`?${k}: expected a number, got ${v}`];
    if (declared === 'boolean' && v !== 'true' && v !== 'false')
      return [`?${k}: expected a boolean, got ${v}`];
    return [];
  });
}
