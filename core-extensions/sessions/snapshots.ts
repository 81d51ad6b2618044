/**
 * Pause snapshots: the working directory as a gzipped tar in the blob store
 * (`snapshots/<session>.tgz`, scoped to this extension and the workspace by blobsRef).
 * Files keep their bytes and modes; owners are dropped (`portable`), since the
 * restoring instance may run as another user. Symlinks are archived as links, never
 * followed, and extraction refuses paths outside the target (tar's defaults), so a
 * snapshot cannot write outside the fresh directory it is restored into.
 */
import { mkdirSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExtensionBlobs } from '@maskin/contract';
import * as tar from 'tar';

export const snapshotKeyOf = (sessionId: string) => `snapshots/${sessionId}.tgz`;

export async function saveSnapshot(
  blobs: ExtensionBlobs,
  workspaceId: string,
  sessionId: string,
  workDir: string,
) {
  // tar's stream is a Minipass, not a Node Readable: hand the blob store a real one.
  const archive = new PassThrough();
  const packing = tar.c({ gzip: true, cwd: workDir, portable: true }, ['.']);
  packing.on('error', (error: unknown) => archive.destroy(error as Error));
  packing.pipe(archive);
  const key = snapshotKeyOf(sessionId);
  const { size } = await blobs.put(workspaceId, key, archive);
  return { key, size };
}

export async function restoreSnapshot(
  blobs: ExtensionBlobs,
  workspaceId: string,
  key: string,
  targetDir: string,
) {
  const blob = await blobs.get(workspaceId, key);
  if (!blob) throw new Error(`The snapshot ${key} is missing from the blob store`);
  mkdirSync(targetDir, { recursive: true, mode: 0o700 });
  await pipeline(blob.body, tar.x({ cwd: targetDir, preserveOwner: false }));
}
