/**
 * Blobs as files under a folder (MASKIN_DATA_DIR/blobs by default). A put writes a
 * temporary file and renames it into place, so a reader never sees half a blob and a
 * failed upload leaves nothing. The folder is 0700 and its files 0600: blobs are
 * workspace data.
 */

import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './blob-store.ts';
import { resolveRange } from './blob-store.ts';

export function createFolderBlobStore(root: string): BlobStore {
  const pathOf = (key: string) => join(root, key);
  const sizeOf = async (key: string) => {
    try {
      return (await stat(pathOf(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    description: `folder ${root}`,
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${randomUUID()}.partial`;
      try {
        const source = body instanceof Readable ? body : Readable.from([body]);
        await pipeline(source, createWriteStream(temporary, { mode: 0o600 }));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      return { size: (await stat(path)).size };
    },
    async get(key, range) {
      const size = await sizeOf(key);
      if (size === undefined) return undefined;
      const bounds = resolveRange(size, range);
      const body =
        size === 0
          ? Readable.from([])
          : createReadStream(pathOf(key), { start: bounds.start, end: bounds.end });
      return { size, range: bounds, body };
    },
    async head(key) {
      const size = await sizeOf(key);
      return size === undefined ? undefined : { size };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
