/**
 * Blob storage: bytes too large for a row (uploaded files, session snapshots). A folder
 * under the data directory by default, any S3-compatible store when MASKIN_S3_BUCKET is
 * set. Keys are scoped by extension and workspace, so one extension cannot read
 * another's blobs; callers keep the metadata (name, type, checksum) in their own tables.
 *
 *     const blobs = deps.blobs;
 *     await blobs.put(workspaceId, `files/${id}`, request.body);
 *     const blob = await blobs.get(workspaceId, `files/${id}`, { start: 0, end: 1023 });
 */
import type { Readable } from 'node:stream';
import { createServiceRef } from './refs.ts';

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`; `end` defaults to the last byte. */
export interface BlobRange {
  start: number;
  end?: number;
}

export interface BlobInfo {
  /** Size of the whole blob in bytes. */
  size: number;
}

export interface BlobRead extends BlobInfo {
  /** The requested bytes, streamed; consume or destroy it. */
  body: Readable;
  /** The inclusive range the body holds (the whole blob when no range was asked). */
  range: { start: number; end: number };
}

export interface ExtensionBlobs {
  /**
   * Stores the bytes under the key, replacing any blob there; the new blob becomes
   * visible only when it is complete. Rejects when the stream errors (a client that
   * disconnects mid-upload leaves nothing behind).
   */
  put(workspaceId: string, key: string, body: Readable | Uint8Array): Promise<BlobInfo>;
  /** The blob's bytes, or undefined when there is none. A range past the end is an error. */
  get(workspaceId: string, key: string, range?: BlobRange): Promise<BlobRead | undefined>;
  head(workspaceId: string, key: string): Promise<BlobInfo | undefined>;
  /** Deleting a missing blob is not an error. */
  delete(workspaceId: string, key: string): Promise<void>;
}

/** Thrown by get() for a range that starts past the end of the blob (HTTP 416). */
export class BlobRangeError extends Error {
  constructor(
    readonly size: number,
    readonly range: BlobRange,
  ) {
    super(`Range ${range.start}-${range.end ?? ''} is outside the blob's ${size} bytes`);
  }
}

export const blobsRef = createServiceRef<ExtensionBlobs>({ id: 'kernel.blobs', owner: 'kernel' });

/** Keys are relative paths of safe segments: letters, digits, `.`, `_`, `-`; no `..`. */
export function assertBlobKey(key: string): void {
  const valid =
    key.length > 0 &&
    key.length <= 512 &&
    key
      .split('/')
      .every((segment) => /^[A-Za-z0-9._-]+$/.test(segment) && segment !== '.' && segment !== '..');
  if (!valid)
    throw new TypeError(`Invalid blob key "${key}": use segments of letters, digits, ".", "_" and "-"`);
}
