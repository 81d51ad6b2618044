/**
 * ETags of objects are their version (`"3"`). If-Match accepts the ETag as sent back
 * (quoted, optionally weak), a bare number, or `*` (any current version); anything
 * else cannot match a current ETag and is a 412, as HTTP prescribes.
 */
import { preconditionFailed } from '@maskin/contract';

export const etagOf = (version: number) => `"${version}"`;

/** The version an If-Match header demands, or undefined when it demands none. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw preconditionFailed(`If-Match ${header} does not match any version of this object`);
  return Number(match[1]);
}
