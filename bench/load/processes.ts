/**
 * Child processes of the load module: the real server (`kernel/main.ts`) and the bare
 * Hono baseline (bench/fixtures/bare-hono.ts), each a plain `node --import tsx`
 * process, so a signal to its pid reaches everything it runs.
 *
 * The server listens on PORT=0 and announces its URL in its `listening` log line. Its
 * stdout (one JSON line per request at LOG_LEVEL=info, the shipped default) goes to a
 * file, not a pipe: the bench process then spends nothing reading logs while it
 * generates load, and the server pays the same write it pays in production.
 *
 * BENCH_SERVER_NODE_ARGS adds Node flags to the server process (serverNodeArgs).
 *
 * Cleanup: every child is registered until it has exited; `stopAll` ends them all
 * (SIGTERM, then SIGKILL after a grace), and a process `exit` hook kills any that are
 * left if the bench itself dies, so no server outlives a failed run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sleep } from '../lib.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const STOP_GRACE_MS = 15_000;

export interface ChildServer {
  url: string;
  /** The process id (its CPU time is read from /proc where there is one). */
  pid: number;
  /** The tail of what the process wrote to stderr, for failure messages. */
  errors(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess) {
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  const exited = once(child, 'exit').then(() => {});
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  return { errors: () => stderr, stop, exited };
}

/** Ends every child still running (the finally of a bench run). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/**
 * Node flags for the server process from BENCH_SERVER_NODE_ARGS (space-separated), for
 * flags NODE_OPTIONS refuses, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (the profile
 * is written when the server stops).
 */
function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

/** Starts `kernel/main.ts` with `env` on a free port; `logFile` receives its stdout. */
export async function startKernelProcess(
  env: Record<string, string>,
  logFile: string,
  readyTimeoutMs = 120_000,
): Promise<ChildServer> {
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...serverNodeArgs(), '--import', 'tsx', 'kernel/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MASKIN_BOOTSTRAP: 'false', ...env },
    stdio: ['ignore', fd, 'pipe'],
  });
  closeSync(fd);
  const handle = track(child);
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const url = listeningUrl(readFileSync(logFile, 'utf8')) ?? summaryUrl(handle.errors());
    if (url) return { url, pid: child.pid!, errors: handle.errors, stop: handle.stop };
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${handle.errors()}`);
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`server did not log "listening" in time:\n${handle.errors()}`);
    }
    await sleep(100);
  }
}

function listeningUrl(log: string): string | undefined {
  for (const line of log.split('\n')) {
    if (!line.includes('"listening"')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'listening' && entry.url) return entry.url;
    } catch {
      // a partly written line: read again on the next poll
    }
  }
  return undefined;
}

/**
 * The URL in the start summary the server prints to stderr whatever its log level
 * (`maskin: listening on http://...`): with BENCH_LOG_LEVEL above info there is no
 * JSON "listening" line to read.
 */
function summaryUrl(stderr: string): string | undefined {
  return /^maskin: listening on (http:\/\/\S+)/m.exec(stderr)?.[1];
}

/** Starts the bare Hono fixture; resolves once it printed its port. */
export async function startBareHono(readyTimeoutMs = 60_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fixtures/bare-hono.ts'], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track(child);
  const lines = createInterface({ input: child.stdout! });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bare Hono did not start in time')), readyTimeoutMs);
      handle.exited.then(() => reject(new Error(`bare Hono exited:\n${handle.errors()}`)));
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      });
    });
    return { url: `http://127.0.0.1:${port}`, pid: child.pid!, errors: handle.errors, stop: handle.stop };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}
