/**
 * The process runtime: the agent is a child process in its own process group
 * (`detached`), so stopping it signals the group and ends whatever the agent spawned
 * (shells, MCP servers, test runners) too. Output is read line by line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { RunningAgent, RuntimeExit, SessionRuntime } from './session-runtime.ts';
import { RuntimeStartError } from './session-runtime.ts';

export const processRuntime: SessionRuntime = {
  name: 'process',
  async start(spec) {
    const [program, ...args] = spec.argv;
    if (!program) throw new RuntimeStartError('The agent has no command to run');
    const child = spawn(program, args, {
      cwd: spec.cwd,
      env: { ...spec.env },
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error) =>
        reject(new RuntimeStartError(`Could not start ${program}: ${(error as Error).message}`)),
      );
    });
    child.stdin.on('error', () => {}); // the agent closed its input: nothing to deliver
    const listeners: ((stream: 'stdout' | 'stderr', text: string) => void)[] = [];
    // Output that arrives before the runner attaches its listener (reading starts at
    // once, and a quick agent can print thousands of lines by then) waits here.
    const early: ['stdout' | 'stderr', string][] = [];
    const readLines = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream) =>
      new Promise<void>((resolve) => {
        const lines = createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', (line) => {
          if (listeners.length === 0) early.push([stream, line]);
          for (const listener of listeners) listener(stream, line);
        });
        lines.on('close', () => resolve());
      });
    const outputDone = Promise.all([readLines('stdout', child.stdout), readLines('stderr', child.stderr)]);
    const processExit = new Promise<RuntimeExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const exited = processExit.then(async (exit) => {
      // A grandchild may hold the pipes open after the agent exited: wait briefly only.
      await Promise.race([outputDone, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      return exit;
    });
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    const agent: RunningAgent = {
      pid: child.pid,
      onLine: (listener) => {
        listeners.push(listener);
        for (const [stream, line] of early.splice(0)) listener(stream, line);
      },
      exited,
      write: (text) => {
        if (child.stdin.writable) child.stdin.write(text.endsWith('\n') ? text : `${text}\n`);
      },
      stop: async (graceMs = 3_000) => {
        signalGroup('SIGTERM');
        const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        const exit = await processExit;
        clearTimeout(timer);
        signalGroup('SIGKILL'); // whatever of the group outlived the agent
        return exit;
      },
    };
    return agent;
  },
};
