/**
 * Pieces for building a response's JSON inside PostgreSQL (json_build_object ...), so
 * a hot read sends text the database wrote instead of rows Node maps one by one. The
 * JSON must read exactly as the same value mapped in Node would: these helpers keep
 * the forms that differ by default.
 */

/**
 * A timestamptz column as JavaScript's `Date.prototype.toISOString()` writes it: UTC,
 * milliseconds, `Z` (PostgreSQL's own JSON form is `2026-12-07T06:05:50.123+00:00`).
 * `column` is SQL text (a column reference such as `o.created_at`), never input.
 */
export const isoTimeSql = (column: string): string =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
