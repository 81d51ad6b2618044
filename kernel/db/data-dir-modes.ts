/**
 * The embedded database's folder is private to the user running the server (issue 10,
 * finding 2). PGlite writes its files with mode 0666 whatever the umask (its file
 * system layer does not apply it), so on a shared machine any local user could read or
 * change the data, key hashes included.
 *
 * The folder is made 0700 (nobody else can even reach what is inside, including files
 * PGlite creates while running) and, at start and again at close, every directory
 * inside is made 0700 and every file 0600, which also repairs a folder an older version
 * left open. Symbolic links are left alone (never followed).
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DATA_DIR_MODE = 0o700;
export const DATA_FILE_MODE = 0o600;

/** Creates the folder if needed and makes it and everything in it private; returns how many modes changed. */
export function secureDataDir(dataDir: string): number {
  mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
  let changed = 0;
  const stack = [dataDir];
  while (stack.length > 0) {
    const folder = stack.pop()!;
    if (fixMode(folder, DATA_DIR_MODE)) changed++;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (entry.isFile() && fixMode(path, DATA_FILE_MODE)) changed++;
    }
  }
  return changed;
}

function fixMode(path: string, mode: number): boolean {
  try {
    if ((lstatSync(path).mode & 0o777) === mode) return false;
    chmodSync(path, mode);
    return true;
  } catch (error) {
    // Removed meanwhile (PGlite's temporary files): nothing to protect.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
