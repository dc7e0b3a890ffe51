import { EntityTooLargeError } from './errors';
import { assertValidKey } from './table-keys';

/**
 * Azure's entity limits, which Azurite does not enforce: 1 MiB per entity, 252 custom properties, 64 KiB per
 * string or binary property, 255 characters per property name.
 */
export const MAX_ENTITY_BYTES = 1024 * 1024;
export const MAX_CUSTOM_PROPERTIES = 252;
export const MAX_PROPERTY_BYTES = 64 * 1024;
export const MAX_PROPERTY_NAME_LENGTH = 255;

export type PropertyValue =
  string | number | boolean | bigint | Date | Uint8Array | { value: string; type: string };
export interface WritableEntity {
  partitionKey: string;
  rowKey: string;
  [property: string]: PropertyValue | undefined;
}

/** Size of one value as Azure's billing formula counts it (strings are UTF-16, with a 4-byte length). */
function valueBytes(value: PropertyValue): number {
  if (typeof value === 'string') return value.length * 2 + 4;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Date) return 8;
  if (value instanceof Uint8Array) return value.byteLength + 4;
  if (value.type === 'Guid') return 16;
  if (value.type === 'Binary') return Buffer.from(value.value, 'base64').byteLength + 4;
  return 8;
}

/** Estimated size: 4 + (|PK| + |RK|) * 2 + for each property (8 + |name| * 2 + size of the value). */
export function estimateEntityBytes(entity: WritableEntity): number {
  let total = 4 + (entity.partitionKey.length + entity.rowKey.length) * 2;
  for (const [name, value] of customProperties(entity)) total += 8 + name.length * 2 + valueBytes(value);
  return total;
}

function customProperties(entity: WritableEntity): [string, PropertyValue][] {
  return Object.entries(entity).filter(
    (e): e is [string, PropertyValue] => e[0] !== 'partitionKey' && e[0] !== 'rowKey' && e[1] !== undefined,
  );
}

export function assertEntityFits(entity: WritableEntity): void {
  const properties = customProperties(entity);
  if (properties.length > MAX_CUSTOM_PROPERTIES) {
    throw new EntityTooLargeError(
      `entity has ${properties.length} properties; the limit is ${MAX_CUSTOM_PROPERTIES}`,
    );
  }
  for (const [name, value] of properties) {
    if (name.length > MAX_PROPERTY_NAME_LENGTH) {
      throw new EntityTooLargeError(
        `property name "${name.slice(0, 40)}..." exceeds ${MAX_PROPERTY_NAME_LENGTH} characters`,
      );
    }
    const bytes =
      typeof value === 'string' ? value.length * 2 : value instanceof Uint8Array ? value.byteLength : 0;
    if (bytes > MAX_PROPERTY_BYTES) {
      throw new EntityTooLargeError(
        `property "${name}" is ${bytes} bytes; the limit is ${MAX_PROPERTY_BYTES} (64 KiB)`,
      );
    }
  }
  const total = estimateEntityBytes(entity);
  if (total > MAX_ENTITY_BYTES) {
    throw new EntityTooLargeError(`entity is about ${total} bytes; the limit is ${MAX_ENTITY_BYTES} (1 MiB)`);
  }
}

/**
 * Builds an entity ready to write: keys and size checked, undefined properties dropped (a Replace then removes
 * them from the stored row).
 */
export function entity(
  partitionKey: string,
  rowKey: string,
  properties: Record<string, PropertyValue | undefined>,
): WritableEntity {
  assertValidKey(partitionKey, 'PartitionKey');
  assertValidKey(rowKey, 'RowKey');
  const out: WritableEntity = { partitionKey, rowKey };
  for (const [name, value] of Object.entries(properties)) if (value !== undefined) out[name] = value;
  assertEntityFits(out);
  return out;
}
