/**
 * The kernel's blob store behind blobsRef, over whole keys. Two implementations: a
 * folder under the data directory (the default) and any S3-compatible service.
 */
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobRange, BlobRead } from '../contract/blobs.ts';
import { BlobRangeError } from '../contract/blobs.ts';

export interface BlobStore {
  /** Where the blobs live, for the boot line (`folder .maskin/data/blobs`, `s3 bucket`). */
  readonly description: string;
  put(key: string, body: Readable | Uint8Array): Promise<BlobInfo>;
  get(key: string, range?: BlobRange): Promise<BlobRead | undefined>;
  head(key: string): Promise<BlobInfo | undefined>;
  delete(key: string): Promise<void>;
}

/** The inclusive byte range a read covers, or BlobRangeError when it starts past the end. */
export function resolveRange(size: number, range: BlobRange | undefined): { start: number; end: number } {
  if (!range) return { start: 0, end: Math.max(size - 1, -1) };
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (range.start < 0 || range.start >= size || end < range.start) throw new BlobRangeError(size, range);
  return { start: range.start, end };
}
