/** The blob store the configuration selects: an S3-compatible bucket, or a folder. */
import type { KernelConfig } from '../config.ts';
import type { BlobStore } from './blob-store.ts';
import { createFolderBlobStore } from './folder-blob-store.ts';
import { createS3BlobStore } from './s3-blob-store.ts';

export function openBlobStore(config: Pick<KernelConfig, 'blobs'>): BlobStore & { close(): void } {
  if (config.blobs.kind === 's3') return createS3BlobStore(config.blobs);
  return { ...createFolderBlobStore(config.blobs.root), close: () => {} };
}
