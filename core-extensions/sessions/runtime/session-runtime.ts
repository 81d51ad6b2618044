/**
 * SessionRuntime: where an agent's process runs. `process` (runtime/process.ts) runs it
 * as a local child process in its own process group; a container runtime (Docker, or
 * a Kubernetes Job) implements the same interface: start a command with an environment
 * in a working directory, stream its output as lines, accept input, stop it, and say
 * how it exited. Everything else (keys, logs, usage, snapshots, state) stays in the
 * sessions extension, so a runtime is small. See docs/extensions.md, "Session runtimes".
 */
export interface RuntimeSpec {
  sessionId: string;
  /** The command, never a shell string: argv[0] is the program. */
  argv: readonly string[];
  /** The whole environment of the agent (nothing is inherited from the server). */
  env: Readonly<Record<string, string>>;
  /** The working directory, already prepared (a container runtime mounts it). */
  cwd: string;
}

export interface RuntimeExit {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: string | null;
}

export interface RunningAgent {
  /** An id the runtime can find it by again (a pid, a container id), for logs and reaping. */
  readonly pid: number | undefined;
  /** Called for each line of output, in order, per stream. */
  onLine(listener: (stream: 'stdout' | 'stderr', text: string) => void): void;
  /** Resolves once the agent has exited and its output has been read to the end. */
  readonly exited: Promise<RuntimeExit>;
  /** Sends one message to the agent's standard input (interactive sessions). */
  write(text: string): void;
  /** Ends the agent and everything it started (its process group): TERM, then KILL after `graceMs`. */
  stop(graceMs?: number): Promise<RuntimeExit>;
}

export class RuntimeStartError extends Error {}

export interface SessionRuntime {
  readonly name: string;
  /** Starts the agent; throws RuntimeStartError with a message for the user when it cannot. */
  start(spec: RuntimeSpec): Promise<RunningAgent>;
}
