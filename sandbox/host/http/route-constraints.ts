/** ASP.NET Core inline route constraints (`{id:int}`, `{slug:minlength(3)}`), which the Functions host uses. */

export type RouteConstraint = (value: string) => boolean;

const INT32 = [-(2 ** 31), 2 ** 31 - 1];
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n];
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GUID = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;

function isInteger(value: string, [min, max]: number[]): boolean {
  return /^[+-]?\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

function isLong(value: string): boolean {
  if (!/^[+-]?\d+$/.test(value)) return false;
  const n = BigInt(value);
  return n >= INT64[0] && n <= INT64[1];
}

function numbers(args: string[], count: number, name: string): number[] {
  const parsed = args.map(Number);
  if (parsed.length !== count || parsed.some((n) => !Number.isFinite(n))) {
    throw new Error(`Route constraint "${name}" needs ${count} numeric argument(s).`);
  }
  return parsed;
}

export function createRouteConstraint(name: string, args: string[]): RouteConstraint {
  switch (name.toLowerCase()) {
    case 'int':
      return (v) => isInteger(v, INT32);
    case 'long':
      return isLong;
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'decimal':
    case 'double':
    case 'float':
      return (v) => DECIMAL.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'required':
      return (v) => v.length > 0;
    case 'file':
      return (v) => /\.[^.]+$/.test(v.split('/').pop() ?? '');
    case 'nonfile':
      return (v) => !/\.[^.]+$/.test(v.split('/').pop() ?? '');
    case 'minlength': {
      const [min] = numbers(args, 1, name);
      return (v) => v.length >= min;
    }
    case 'maxlength': {
      const [max] = numbers(args, 1, name);
      return (v) => v.length <= max;
    }
    case 'length': {
      const bounds =
        args.length === 1 ? [...numbers(args, 1, name), ...numbers(args, 1, name)] : numbers(args, 2, name);
      return (v) => v.length >= bounds[0] && v.length <= bounds[1];
    }
    case 'min': {
      const [min] = numbers(args, 1, name);
      return (v) => isLong(v) && Number(v) >= min;
    }
    case 'max': {
      const [max] = numbers(args, 1, name);
      return (v) => isLong(v) && Number(v) <= max;
    }
    case 'range': {
      const [min, max] = numbers(args, 2, name);
      return (v) => isLong(v) && Number(v) >= min && Number(v) <= max;
    }
    case 'regex': {
      // ASP.NET does not anchor the expression and ignores case.
      const expression = new RegExp(args.join(','), 'i');
      return (v) => expression.test(v);
    }
    default:
      throw new Error(`The constraint reference '${name}' could not be resolved.`);
  }
}
