/**
 * A stable, pure hash of a synced projection: canonical JSON (sorted keys, undefined members dropped) hashed with
 * FNV-1a 64. Equal projections hash equally in every process and runtime, which is all the link table needs.
 */

export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return canonicalJson(withToJson.toJSON());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${members.join(',')}}`;
}

/** FNV-1a 64 over the UTF-8 bytes of text, as 16 hex digits. Four 16-bit limbs keep every step exact in a double. */
export function fnv1a64(text: string): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const byte of utf8(text)) {
    h0 ^= byte;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40), mod 2^64
    let t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3 + (t0 >>> 16);
    let t2 = h2 * 0x1b3 + (t1 >>> 16) + ((h0 & 0xff) << 8);
    const t3 = h3 * 0x1b3 + (t2 >>> 16) + (h0 >>> 8) + ((h1 & 0xff) << 8);
    t0 &= 0xffff;
    t1 &= 0xffff;
    t2 &= 0xffff;
    h0 = t0;
    h1 = t1;
    h2 = t2;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((limb) => limb.toString(16).padStart(4, '0')).join('');
}

export function stableHash(value: unknown): string {
  return fnv1a64(canonicalJson(value));
}

function* utf8(text: string): Generator<number> {
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp < 0x80) yield cp;
    else if (cp < 0x800) {
      yield 0xc0 | (cp >> 6);
      yield 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      yield 0xe0 | (cp >> 12);
      yield 0x80 | ((cp >> 6) & 0x3f);
      yield 0x80 | (cp & 0x3f);
    } else {
      yield 0xf0 | (cp >> 18);
      yield 0x80 | ((cp >> 12) & 0x3f);
      yield 0x80 | ((cp >> 6) & 0x3f);
      yield 0x80 | (cp & 0x3f);
    }
  }
}
