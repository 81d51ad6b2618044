/**
 * postinstall: make the blank embedded-database seed now, so the first `npm start`
 * does not run initdb (kernel/db/pglite-seed.ts). Never fails the install: without a
 * seed the first start is only slower.
 */
import { createSeed, DEFAULT_CACHE_DIR, readSeed } from '../kernel/db/pglite-seed.ts';

const cacheDir = process.env.MASKIN_CACHE_DIR || DEFAULT_CACHE_DIR;
try {
  if (!readSeed(cacheDir)) await createSeed(cacheDir);
} catch (error) {
  process.stderr.write(
    `maskin: no embedded-database seed (${(error as Error).message}); the first start will create the database instead\n`,
  );
}
