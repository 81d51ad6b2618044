/**
 * The embedded database's folder lock, with real processes: PGlite itself does not
 * stop a second process from opening (and corrupting) the same folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../kernel/db/data-dir-lock.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const LOCK_MODULE = join(ROOT, 'kernel/db/data-dir-lock.ts');
const IN_USE = /is in use by another Maskin process \(pid (\d+)\)/;

const folders: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'maskin-lock-'));
  folders.push(folder);
  return folder;
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string | undefined> = process.env) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((done) => child.on('close', (code) => done({ code, stdout, stderr })));
  return { child, exited };
}

/** A child process that tries to lock `dir`: exit 0 when it got the lock, 3 with the message when refused. */
function lockInChild(dir: string) {
  const script = `
    import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)};
    try { lockDataDir(${JSON.stringify(dir)}); }
    catch (error) { process.stderr.write(error.message); process.exit(3); }`;
  return run(['--input-type=module', '-e', script]).exited;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('lockDataDir', () => {
  it('a second process cannot lock a held folder, and is told why', async () => {
    const dir = tempDir();
    const release = lockDataDir(dir);
    try {
      expect(readFileSync(join(dir, 'maskin.lock'), 'utf8')).toBe(String(process.pid));
      const refused = await lockInChild(dir);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(IN_USE);
      expect(refused.stderr).toContain(`pid ${process.pid}`);
      expect(refused.stderr).toContain(dir);
      expect(refused.stderr).toMatch(/MASKIN_DATA_DIR|DATABASE_URL/);
      // The refused process did not take or remove our lock.
      expect(readFileSync(join(dir, 'maskin.lock'), 'utf8')).toBe(String(process.pid));
    } finally {
      release();
    }
    expect(existsSync(join(dir, 'maskin.lock'))).toBe(false);
    // Once released, another process gets it.
    expect((await lockInChild(dir)).code).toBe(0);
  });

  it('this process cannot take a folder another live process holds', async () => {
    const dir = tempDir();
    const holder = run([
      '--input-type=module',
      '-e',
      `import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)};
       lockDataDir(${JSON.stringify(dir)}); process.stdout.write('locked'); setInterval(() => {}, 1000);`,
    ]);
    await waitFor(() => existsSync(join(dir, 'maskin.lock')), 'the child to lock');
    await waitFor(
      () => readFileSync(join(dir, 'maskin.lock'), 'utf8') === String(holder.child.pid),
      'the pid',
    );
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(`pid ${holder.child.pid}`);
    holder.child.kill('SIGKILL');
    await holder.exited;
  });

  it('takes over a stale lock left by a process that died', async () => {
    const dir = tempDir();
    const dead = await new Promise<number>((done) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('close', () => done(child.pid!));
    });
    writeFileSync(join(dir, 'maskin.lock'), String(dead));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'maskin.lock'), 'utf8')).toBe(String(process.pid));
    release();
    // A lock file with garbage in it is stale too.
    writeFileSync(join(dir, 'maskin.lock'), 'not a pid');
    lockDataDir(dir)();
  });
});

describe('starting the server twice on one data folder', () => {
  it('the second start exits non-zero with the message and leaves the first one running', async () => {
    const dir = tempDir();
    const env = {
      ...process.env,
      DATABASE_URL: undefined,
      MASKIN_DATA_DIR: dir,
      PORT: '0',
      MASKIN_BOOTSTRAP: 'false',
      LOG_LEVEL: 'silent',
    };
    const lockFile = join(dir, 'maskin.lock');
    const first = run(['kernel/main.ts'], env);
    // The lock is taken before the (slow) database opens: no need to wait for the first to finish booting.
    await waitFor(
      () => existsSync(lockFile) && readFileSync(lockFile, 'utf8') === String(first.child.pid),
      'the first server to lock its data folder',
    );
    const second = await run(['kernel/main.ts'], env).exited;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/maskin failed to start/);
    expect(second.stderr).toMatch(IN_USE);
    expect(second.stderr).toContain(`pid ${first.child.pid}`);
    expect(first.child.exitCode).toBeNull();
    expect(readFileSync(lockFile, 'utf8')).toBe(String(first.child.pid));
    first.child.kill('SIGKILL');
    await first.exited;
  });
});
