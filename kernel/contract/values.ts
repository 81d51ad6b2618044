/**
 * Value checks every extension needs at its edges, in one place so they cannot
 * disagree: what a uuid looks like, and which times the database can store.
 *
 * Storable times: PostgreSQL keeps years up to 294276, but drizzle sends a Date as
 * toISOString(), whose extended form past year 9999 (`+010000-01-01T...`) PostgreSQL
 * refuses (a 500), and years before 1 are refused too. A time from a client (a body
 * field, a filter, a cursor) outside 0001-9999 is therefore bad input, a 400.
 */
import { z } from '@hono/zod-openapi';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);

const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** `time` in milliseconds (Date.getTime(), Date.parse()); NaN is not storable. */
export const isStorableTime = (time: number): boolean => time >= EARLIEST && time <= LATEST;

/** An ISO-8601 time with offset that the database can store (years 0001-9999). */
export const storableTimeSchema = () =>
  z
    .string()
    .datetime({ offset: true })
    .refine((value) => isStorableTime(Date.parse(value)), 'must be a time between the years 0001 and 9999');
