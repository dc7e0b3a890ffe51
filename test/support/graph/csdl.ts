import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Just enough of OData CSDL (XML) to check JSON against Graph's model: entity and complex types with their
 * properties (inherited through BaseType), enum members, and the primitive types used by Graph.
 */

export interface CsdlProperty {
  name: string;
  type: string;
  nullable: boolean;
}

export interface CsdlType {
  fullName: string;
  baseType?: string;
  open: boolean;
  properties: Map<string, CsdlProperty>;
}

export interface CsdlModel {
  types: Map<string, CsdlType>;
  enums: Map<string, Set<string>>;
}

/** The schema file kept with the tests (test/schemas), or GRAPH_CSDL_PATH. */
export function defaultCsdlPath(): string {
  return process.env.GRAPH_CSDL_PATH ?? path.resolve(__dirname, '../../schemas/graph-v1.0.csdl');
}

export function loadCsdl(file = defaultCsdlPath()): CsdlModel {
  return parseCsdl(readFileSync(file, 'utf8'));
}

const attrs = (tag: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
};

export function parseCsdl(xml: string): CsdlModel {
  const schemas = [...xml.matchAll(/<Schema\b([^>]*)>([\s\S]*?)<\/Schema>/g)];
  const aliases = new Map<string, string>();
  for (const s of schemas) {
    const a = attrs(s[1]);
    aliases.set(a.Namespace, a.Namespace);
    if (a.Alias) aliases.set(a.Alias, a.Namespace);
  }
  const qualify = (name: string): string => {
    const collection = /^Collection\((.+)\)$/.exec(name);
    if (collection) return `Collection(${qualify(collection[1])})`;
    if (name.startsWith('Edm.')) return name;
    const dot = name.lastIndexOf('.');
    const prefix = name.slice(0, dot);
    return `${aliases.get(prefix) ?? prefix}.${name.slice(dot + 1)}`;
  };

  const model: CsdlModel = { types: new Map(), enums: new Map() };
  for (const s of schemas) {
    const namespace = attrs(s[1]).Namespace;
    const body = s[2];
    for (const m of body.matchAll(/<(EntityType|ComplexType)\b([^>]*?)(\/?)>/g)) {
      const a = attrs(m[2]);
      const type: CsdlType = {
        fullName: `${namespace}.${a.Name}`,
        baseType: a.BaseType ? qualify(a.BaseType) : undefined,
        open: a.OpenType === 'true',
        properties: new Map(),
      };
      if (m[3] !== '/') {
        const start = m.index! + m[0].length;
        const inner = body.slice(start, body.indexOf(`</${m[1]}>`, start));
        for (const p of inner.matchAll(/<(Property|NavigationProperty)\b([^>]*?)\/?>/g)) {
          const pa = attrs(p[2]);
          type.properties.set(pa.Name, {
            name: pa.Name,
            type: qualify(pa.Type),
            nullable: pa.Nullable !== 'false',
          });
        }
      }
      model.types.set(type.fullName, type);
    }
    for (const m of body.matchAll(/<EnumType\b([^>]*)>([\s\S]*?)<\/EnumType>/g)) {
      const members = new Set([...m[2].matchAll(/<Member\b[^>]*Name="([^"]+)"/g)].map((x) => x[1]));
      model.enums.set(`${namespace}.${attrs(m[1]).Name}`, members);
    }
  }
  return model;
}

/** Every property of a type, its own and inherited. */
export function propertiesOf(model: CsdlModel, typeName: string): Map<string, CsdlProperty> {
  const out = new Map<string, CsdlProperty>();
  for (let t = model.types.get(typeName); t; t = t.baseType ? model.types.get(t.baseType) : undefined) {
    for (const [name, p] of t.properties) if (!out.has(name)) out.set(name, p);
  }
  return out;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Problems found when reading `value` as an instance of `typeName` (empty = conforms). Instance annotations
 * ("@odata.type", "@removed", "x@odata.nextLink") are allowed anywhere. Open types that declare no properties
 * at all (resourceData) accept any property, since they are defined by the resource they describe.
 */
export function checkInstance(model: CsdlModel, typeName: string, value: unknown, at = '$'): string[] {
  if (value === null || value === undefined) return [];
  const collection = /^Collection\((.+)\)$/.exec(typeName);
  if (collection) {
    if (!Array.isArray(value)) return [`${at}: expected an array for ${typeName}`];
    return value.flatMap((v, i) => checkInstance(model, collection[1], v, `${at}[${i}]`));
  }
  if (typeName.startsWith('Edm.')) return checkPrimitive(typeName, value, at);
  const enumMembers = model.enums.get(typeName);
  if (enumMembers) {
    if (typeof value !== 'string')
      return [`${at}: expected a ${typeName} member, got ${JSON.stringify(value)}`];
    const bad = value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => !enumMembers.has(v));
    return bad.length ? [`${at}: '${bad.join(',')}' is not a member of ${typeName}`] : [];
  }
  const type = model.types.get(typeName);
  if (!type) return [`${at}: unknown type ${typeName}`];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object of ${typeName}`];
  const properties = propertiesOf(model, typeName);
  const anyProperty = type.open && properties.size === 0;
  const problems: string[] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (name.includes('@')) continue;
    const p = properties.get(name);
    if (!p) {
      if (!anyProperty) problems.push(`${at}.${name}: no such property on ${typeName}`);
      continue;
    }
    if (v === null) {
      if (!p.nullable) problems.push(`${at}.${name}: null for a non-nullable ${p.type}`);
      continue;
    }
    problems.push(...checkInstance(model, p.type, v, `${at}.${name}`));
  }
  return problems;
}

function checkPrimitive(type: string, value: unknown, at: string): string[] {
  const fail = [`${at}: ${JSON.stringify(value)} is not ${type}`];
  switch (type) {
    case 'Edm.String':
    case 'Edm.Binary':
    case 'Edm.Duration':
    case 'Edm.TimeOfDay':
      return typeof value === 'string' ? [] : fail;
    case 'Edm.Boolean':
      return typeof value === 'boolean' ? [] : fail;
    case 'Edm.Int16':
    case 'Edm.Int32':
    case 'Edm.Int64':
    case 'Edm.Byte':
      return Number.isInteger(value) ? [] : fail;
    case 'Edm.Double':
    case 'Edm.Single':
    case 'Edm.Decimal':
      return typeof value === 'number' ? [] : fail;
    case 'Edm.Guid':
      return typeof value === 'string' && GUID.test(value) ? [] : fail;
    case 'Edm.Date':
      return typeof value === 'string' && DATE.test(value) ? [] : fail;
    case 'Edm.DateTimeOffset':
      return typeof value === 'string' && DATE_TIME_OFFSET.test(value) ? [] : fail;
    default:
      return [];
  }
}
