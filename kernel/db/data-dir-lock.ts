/**
 * PGlite does not lock its data folder: two processes opening the same folder would
 * both write to it and corrupt it. We hold an exclusive lock file holding our pid;
 * a lock left behind by a dead process is taken over. (Two processes taking over the
 * same stale lock in the same instant could both succeed; that needs a crash followed
 * by two simultaneous starts, and a real server should use DATABASE_URL anyway.)
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, 'maskin.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    // Write the pid to a private file first, then hard-link it into place: link() is
    // atomic and fails if the lock exists, so no one ever reads a half-written lock.
    const candidate = `${lockPath}.${process.pid}`;
    writeFileSync(candidate, String(process.pid));
    try {
      linkSync(candidate, lockPath);
      rmSync(candidate, { force: true });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      rmSync(candidate, { force: true });
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && processIsAlive(holder)) {
        throw new DataDirLockedError(
          `The embedded database in ${dataDir} is in use by another Maskin process (pid ${holder}). ` +
            'Stop that process, or point MASKIN_DATA_DIR at another folder, or set DATABASE_URL to share a PostgreSQL server.',
        );
      }
      // Stale lock from a process that died without cleaning up: take it over.
      rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirLockedError(`Could not lock ${dataDir}: the lock file keeps reappearing.`);
}
