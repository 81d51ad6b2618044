/**
 * Runs the real server (`kernel/main.ts`) as a child process on a loopback port, for
 * tests and benchmarks that must cross a real process boundary (MCP clients, stdio).
 * One `node --import tsx` process, no npx in between, so stopping it by its pid stops
 * everything it started. Readiness is GET /api/health answering 200. It imports
 * nothing from vitest, so benchmarks can use it too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface ServerProcess {
  url: string;
  /** What the process wrote to stderr (and stdout), for failure messages. */
  output(): string;
  /** The server's process id (tests match it against rows its handlers wrote). */
  pid: number;
  /** Sends a signal (SIGKILL: the process dies without any shutdown) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');

/** A port that was free a moment ago (the server binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startServerProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<ServerProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'kernel/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      MASKIN_BOOTSTRAP: 'false',
      LOG_LEVEL: 'warn',
      // Off unless the test asks (see RATE_LIMITS_OFF in test-kernel.ts).
      MASKIN_RATE_LIMIT_PER_KEY: '0',
      MASKIN_RATE_LIMIT_PER_ADDRESS: '0',
      MASKIN_RATE_LIMIT_SIGNUP: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, output: () => output, pid: child.pid!, kill, stop };
}
