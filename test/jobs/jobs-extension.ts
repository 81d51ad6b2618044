/**
 * A tiny extension for the jobs suites: `configure` registers its queues and
 * schedules in setup (as a real extension would), and the returned handle exposes
 * the extension's own jobs and database services to the test once setup ran.
 */
import {
  dbRef,
  defineExtension,
  type Enablement,
  type ExtensionDatabase,
  type ExtensionDefinition,
  type ExtensionJobs,
  jobsRef,
} from '../../kernel/contract/index.ts';

export interface JobsHandle {
  definition: ExtensionDefinition;
  jobs: ExtensionJobs;
  database: ExtensionDatabase;
}

export function jobsExtension(
  id: string,
  configure: (jobs: ExtensionJobs, database: ExtensionDatabase) => void,
  enablement: Enablement = 'default-on',
): JobsHandle {
  const handle = {} as JobsHandle;
  handle.definition = defineExtension({
    manifest: {
      id,
      version: '1.0.0',
      kernel: '^1.0.0',
      description: `Jobs test extension ${id}`,
      enablement,
    },
    deps: { jobs: jobsRef, database: dbRef },
    setup({ deps }) {
      handle.jobs = deps.jobs;
      handle.database = deps.database;
      configure(deps.jobs, deps.database);
      return {};
    },
  });
  return handle;
}

/** Polls `check` until it returns true (eventual conditions; the deadline only bounds a failure). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A promise with its resolver, for handlers that block until the test lets them go. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
