/**
 * The jobs service of one extension: validates what it is given, names every row with
 * the extension's id (so queue names are the extension's own), and runs its queues'
 * workers and its schedules between the kernel's `ready` and `shutdown` phases.
 *
 * Nothing starts in setup: `work` and `schedule` only record, and the first of them
 * registers the lifecycle hooks, so an extension that never works a queue costs no
 * polling and no listener. Each process listens on `maskin_jobs`: a committed enqueue
 * wakes its queue's worker, a committed cancel aborts the handler wherever it runs;
 * and on `maskin_extensions`, so jobs that waited for their extension to be enabled
 * in a workspace start as soon as it is.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { LifecycleHub } from '../capabilities/lifecycle-hub.ts';
import type { ExtensionManifest } from '../contract/extension.ts';
import type { ExtensionJobs, ScheduleInput, WorkOptions } from '../contract/jobs.ts';
import type { Database } from '../db/database.ts';
import { EXTENSIONS_CHANNEL } from '../registry/enablement-store.ts';
import { MAX_RETRY_DELAY_MS } from './backoff.ts';
import { parseCron } from './cron-slots.ts';
import type { DueQueuesPoll } from './due-queues-poll.ts';
import { cancelJob, deleteFinishedJobs, findJob, insertJob, JOBS_CHANNEL, wakePayload } from './job-store.ts';
import { QueueWorker } from './queue-worker.ts';
import { type DeclaredSchedule, Scheduler } from './scheduler.ts';

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const DEFAULTS = { maxAttempts: 3, timeoutMs: 60_000, retryDelayMs: 1_000 };
const WORK_DEFAULTS = { concurrency: 1, leaseMs: 30_000, pollIntervalMs: 1_000 };
const SHUTDOWN_GRACE_MS = 5_000;
const FINISHED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const HOUSEKEEPING_MS = 10 * 60 * 1000;

export interface ExtensionJobsDeps {
  database: Database;
  logger: Logger;
  lifecycle: LifecycleHub;
  extension: ExtensionManifest;
  /** The process's fallback poll, shared by every extension's workers. */
  poll: DueQueuesPoll;
}

function integerIn(label: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${label} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

export function createExtensionJobs(deps: ExtensionJobsDeps): ExtensionJobs {
  const extensionId = deps.extension.id;
  const logger = deps.logger.child({ extension: extensionId, component: 'jobs' });
  const workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const workers = new Map<string, QueueWorker>();
  const schedules = new Map<string, DeclaredSchedule>();
  const scheduler = new Scheduler(deps.database, logger, extensionId, schedules);
  let hooksRegistered = false;
  let stopListening: (() => Promise<void>) | undefined;
  let stopListeningToEnablement: (() => Promise<void>) | undefined;
  let housekeeping: NodeJS.Timeout | undefined;

  const checkName = (kind: string, name: string) => {
    if (!NAME_PATTERN.test(name)) {
      throw new Error(
        `Extension "${extensionId}": ${kind} name "${name}" must be 1-63 lowercase letters, digits, "_" or "-"`,
      );
    }
  };
  const retryPolicy = (input: { maxAttempts?: number; timeoutMs?: number; retryDelayMs?: number }) => ({
    maxAttempts: integerIn('maxAttempts', input.maxAttempts ?? DEFAULTS.maxAttempts, 1, 100),
    timeoutMs: integerIn('timeoutMs', input.timeoutMs ?? DEFAULTS.timeoutMs, 1, 24 * 60 * 60 * 1000),
    retryDelayMs: integerIn(
      'retryDelayMs',
      input.retryDelayMs ?? DEFAULTS.retryDelayMs,
      0,
      MAX_RETRY_DELAY_MS,
    ),
  });
  const requireWorked = (queue: string, what: string) => {
    if (!workers.has(queue)) {
      throw new Error(
        `Extension "${extensionId}" ${what} queue "${queue}", which it does not work: call jobs.work("${queue}", handler) in setup`,
      );
    }
  };

  const start = async () => {
    stopListening = await deps.database.listen(
      JOBS_CHANNEL,
      (payload) => {
        if (payload.startsWith('cancel:')) {
          const jobId = payload.slice('cancel:'.length);
          for (const worker of workers.values()) worker.cancel(jobId);
          return;
        }
        for (const [queue, worker] of workers) if (payload === wakePayload(extensionId, queue)) worker.wake();
      },
      // (Re)connected: anything announced while the listener was down is claimed now.
      () => {
        for (const worker of workers.values()) worker.wake();
      },
    );
    // An enablement change may make waiting jobs claimable: look at once, not a poll later.
    stopListeningToEnablement = await deps.database.listen(EXTENSIONS_CHANNEL, () => {
      for (const worker of workers.values()) worker.wake();
    });
    for (const worker of workers.values()) worker.start();
    scheduler.start();
    housekeeping = setInterval(() => {
      deleteFinishedJobs(deps.database.db, extensionId, FINISHED_RETENTION_MS).catch((error) =>
        logger.warn({ err: error }, 'deleting finished jobs failed'),
      );
    }, HOUSEKEEPING_MS);
    housekeeping.unref();
  };

  const stop = async () => {
    clearInterval(housekeeping);
    scheduler.stop();
    await Promise.all([...workers.values()].map((worker) => worker.stop(SHUTDOWN_GRACE_MS)));
    await stopListening?.();
    await stopListeningToEnablement?.();
  };

  const registerHooks = () => {
    if (hooksRegistered) return;
    hooksRegistered = true;
    deps.lifecycle.add(extensionId, 'ready', start);
    deps.lifecycle.add(extensionId, 'shutdown', stop);
  };

  return {
    enqueue: async (tx, job) => {
      checkName('queue', job.queue);
      requireWorked(job.queue, 'enqueued a job on');
      if (
        job.singletonKey !== undefined &&
        (job.singletonKey.length === 0 || job.singletonKey.length > 200)
      ) {
        throw new Error('singletonKey must be 1-200 characters');
      }
      if (job.runAt !== undefined && Number.isNaN(job.runAt.getTime()))
        throw new Error('runAt is an invalid date');
      return insertJob(tx, {
        extensionId,
        queue: job.queue,
        workspaceId: job.workspaceId,
        payload: job.payload ?? {},
        runAt: job.runAt,
        singletonKey: job.singletonKey,
        ...retryPolicy(job),
      });
    },
    cancel: (tx, jobId) => cancelJob(tx, extensionId, jobId),
    get: (jobId) => findJob(deps.database.db, extensionId, jobId),
    work: (queue, handler, options: WorkOptions = {}) => {
      checkName('queue', queue);
      if (workers.has(queue)) throw new Error(`Extension "${extensionId}" works queue "${queue}" twice`);
      const settings = { ...WORK_DEFAULTS, ...options };
      const worker = new QueueWorker({
        database: deps.database,
        logger,
        extensionId,
        enablement: deps.extension.enablement,
        queue,
        handler,
        workerId,
        concurrency: integerIn('concurrency', settings.concurrency, 1, 1000),
        leaseMs: integerIn('leaseMs', settings.leaseMs, 100, 24 * 60 * 60 * 1000),
        pollIntervalMs: integerIn('pollIntervalMs', settings.pollIntervalMs, 10, 60 * 60 * 1000),
        poll: deps.poll,
      });
      workers.set(queue, worker);
      registerHooks();
      // Worked after the server became ready (a lazily built service): start at once.
      if (deps.lifecycle.isReady && stopListening) worker.start();
    },
    schedule: (input: ScheduleInput) => {
      checkName('schedule', input.name);
      if (schedules.has(input.name)) {
        throw new Error(`Extension "${extensionId}" declares schedule "${input.name}" twice`);
      }
      const queue = input.queue ?? input.name;
      checkName('queue', queue);
      requireWorked(queue, `schedules "${input.name}" on`);
      const timezone = input.timezone ?? 'UTC';
      const cron = parseCron(input.name, { cron: input.cron, timezone });
      const declared = { input: { ...input, queue, timezone }, cron, ...retryPolicy(input) };
      schedules.set(input.name, declared);
      registerHooks();
      scheduler.track(declared);
    },
  };
}
