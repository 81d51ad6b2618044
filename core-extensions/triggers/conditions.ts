/**
 * Whether an event matches an event trigger: its type is listed, and every condition
 * holds. Pure, so the whole matrix is tested without a database (conditions.test.ts),
 * and POST /triggers/:id/test uses the same function as firing does.
 */
import type { EventJson } from '@maskin/contract';
import type { EventConfig, MetadataCondition } from './definition.ts';

const DAY_MS = 86_400_000;

/** The value at a dotted path of the event (`data.to`, `entity_type`), or undefined. */
export function valueAt(event: EventJson, path: string): unknown {
  let value: unknown = event;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const isSet = (value: unknown) => value !== undefined && value !== null && value !== '';
const asNumber = (value: unknown) =>
  typeof value === 'number'
    ? value
    : typeof value === 'string' && value.trim() !== ''
      ? Number(value)
      : Number.NaN;
const asTime = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? new Date(value).getTime() : Number.NaN;

export function conditionHolds(event: EventJson, condition: MetadataCondition, now: Date): boolean {
  const actual = valueAt(event, condition.field);
  const expected = condition.value;
  switch (condition.operator) {
    case 'is_set':
      return isSet(actual);
    case 'is_not_set':
      return !isSet(actual);
    case 'equals':
      return isSet(actual) && String(actual) === String(expected);
    case 'not_equals':
      return !isSet(actual) || String(actual) !== String(expected);
    case 'greater_than':
      return asNumber(actual) > asNumber(expected);
    case 'less_than':
      return asNumber(actual) < asNumber(expected);
    case 'before':
      return asTime(actual) < asTime(expected);
    case 'after':
      return asTime(actual) > asTime(expected);
    case 'within_days': {
      // the value lies between now and `expected` days from now, either way
      const time = asTime(actual);
      const span = asNumber(expected) * DAY_MS;
      return Number.isFinite(time) && Math.abs(time - now.getTime()) <= span;
    }
    case 'contains':
      if (Array.isArray(actual)) return actual.some((item) => String(item) === String(expected));
      return typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase());
  }
}

export function eventMatches(config: EventConfig, event: EventJson, now = new Date()): boolean {
  if (!config.types.includes(event.type)) return false;
  const { entity_type, from_status, to_status, metadata } = config.conditions;
  // objects' events have entity_type `object` and the object's type in data.type
  if (
    entity_type !== undefined &&
    event.entity_type !== entity_type &&
    valueAt(event, 'data.type') !== entity_type
  ) {
    return false;
  }
  if (from_status !== undefined && valueAt(event, 'data.from') !== from_status) return false;
  if (to_status !== undefined && valueAt(event, 'data.to') !== to_status) return false;
  return metadata.every((condition) => conditionHolds(event, condition, now));
}
