/**
 * jobsRef: durable background jobs, scoped to the extension that asks.
 *
 * - `enqueue(tx, ...)` inserts the job in the caller's transaction: a request that
 *   rolls back enqueues nothing, one that commits wakes a worker at once (NOTIFY on
 *   commit; polling is the fallback).
 * - A job runs in one process at a time across every instance (claimed in PostgreSQL
 *   with `FOR UPDATE SKIP LOCKED`, held by a lease the process renews while the
 *   handler runs). A failed attempt is retried with exponential back-off up to
 *   `maxAttempts`, then the job is `failed` (event `job.failed`). A process that dies
 *   mid-run lets its lease expire and another instance retries the job (the attempt
 *   counts). Delivery is therefore at least once: make effects idempotent, or key them
 *   by the job id.
 * - Queue names belong to the extension: two extensions may both have a `digest` queue.
 * - Handlers are registered in `setup` with `work(queue, handler)`; workers start
 *   polling in `onReady` and stop in `onShutdown` (the kernel wires that up).
 * - A job of a workspace in which its extension is disabled waits (it is not claimed)
 *   until the extension is enabled there again; other workspaces' jobs run.
 *
 * ```ts
 * deps: { db: dbRef, jobs: jobsRef },
 * setup({ deps }) {
 *   deps.jobs.work('digest', async (job) => {
 *     await job.reportProgress({ done: 0 });
 *     await sendDigest(job.workspaceId!, job.payload, job.signal);
 *   }, { concurrency: 2 });
 *   deps.jobs.schedule({ name: 'nightly', queue: 'digest', cron: '0 0 7 * * *', timezone: 'Europe/Oslo' });
 *   return { routes: [...] }; // a route: await deps.db.db.transaction((tx) => deps.jobs.enqueue(tx, {...}))
 * }
 * ```
 */
import type { Db } from '../db/database.ts';
import { createServiceRef } from './refs.ts';

export type JobState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobInput<Payload = unknown> {
  /** A queue this extension works (`work(queue, ...)`): lowercase letters, digits, `_`, `-`. */
  queue: string;
  /** The workspace the job belongs to; null for installation-wide work (no enablement check). */
  workspaceId: string | null;
  /** JSON-serialisable input of the handler. */
  payload?: Payload;
  /** Not before this time (default now). */
  runAt?: Date;
  /**
   * At most one pending or running job per key (in this queue and workspace). Enqueueing
   * while one exists returns that job with `created: false`.
   */
  singletonKey?: string;
  /** Attempts before the job is marked failed (default 3, 1-100). */
  maxAttempts?: number;
  /** An attempt is aborted (its signal fires) and counted as failed after this long (default 60 s). */
  timeoutMs?: number;
  /** Delay before the first retry; doubles each attempt, capped at one hour (default 1 s). */
  retryDelayMs?: number;
}

export interface EnqueuedJob {
  id: string;
  /** False when a job with the same singleton key was already pending or running. */
  created: boolean;
}

export interface JobContext<Payload = unknown> {
  id: string;
  queue: string;
  workspaceId: string | null;
  payload: Payload;
  /** 1 on the first run, counting runs whose process died. */
  attempt: number;
  maxAttempts: number;
  /** The schedule slot that enqueued this job, if a schedule did. */
  scheduledFor: Date | null;
  /** Aborted on timeout, cancellation, lost lease or shutdown: stop work when it fires. */
  signal: AbortSignal;
  /** Records a `job.progress` event in the job's workspace log (and the job's row). */
  reportProgress(progress: Record<string, unknown>): Promise<void>;
}

export type JobHandler<Payload = any> = (job: JobContext<Payload>) => Promise<void>;

export interface WorkOptions {
  /** Jobs of this queue this process runs at once (default 1). */
  concurrency?: number;
  /**
   * How long a claim outlives a process that stopped renewing it (it died) before
   * another instance may retry the job (default 30 s; renewed every third of it).
   */
  leaseMs?: number;
  /** Fallback polling interval; NOTIFY wakes workers sooner (default 1 s). */
  pollIntervalMs?: number;
}

export interface ScheduleInput<Payload = unknown> {
  /** Unique per extension; a slot of a schedule fires once across all instances. */
  name: string;
  /** croner syntax, 5 fields or 6 with seconds first (`*\/10 * * * * *`). */
  cron: string;
  /** IANA time zone the expression is read in (default UTC). */
  timezone?: string;
  /** The queue each slot's job goes to (default: the schedule's name). */
  queue?: string;
  workspaceId?: string | null;
  payload?: Payload;
  maxAttempts?: number;
  timeoutMs?: number;
  retryDelayMs?: number;
}

export interface JobInfo {
  id: string;
  queue: string;
  workspaceId: string | null;
  state: JobState;
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  progress: Record<string, unknown> | null;
  lastError: string | null;
  scheduledFor: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ExtensionJobs {
  /** Inserts a job in `tx` (the caller's transaction); it runs after `tx` commits. */
  enqueue<Payload>(tx: Db, job: JobInput<Payload>): Promise<EnqueuedJob>;
  /**
   * Cancels a pending or running job of this extension in `tx`; a running handler's
   * signal is aborted once `tx` commits. False when the job is finished or unknown.
   */
  cancel(tx: Db, jobId: string): Promise<boolean>;
  /** A job of this extension, or undefined. */
  get(jobId: string): Promise<JobInfo | undefined>;
  /** Registers the handler of a queue (in setup; at most one per queue). */
  work<Payload = any>(queue: string, handler: JobHandler<Payload>, options?: WorkOptions): void;
  /**
   * Declares a recurring schedule (in setup, so every instance declares it). Each slot
   * is claimed once in PostgreSQL and enqueues one job with singleton key
   * `schedule:<name>`: a slot that comes while the previous run is still pending or
   * running is skipped. Slots missed while every instance was down are not replayed.
   */
  schedule<Payload>(schedule: ScheduleInput<Payload>): void;
}

export const jobsRef = createServiceRef<ExtensionJobs>({ id: 'kernel.jobs', owner: 'kernel' });
