/**
 * Runs one claimed attempt of a job and writes its outcome.
 *
 * While the handler runs, its lease is renewed every third of the lease; a renewal
 * that finds the claim gone (the job was cancelled, or this process stalled past its
 * lease and another took the job) aborts the handler, so two processes never keep
 * working one job knowingly. The handler's signal fires on timeout, cancellation, a
 * lost lease or shutdown, and the attempt's slot is freed at that moment even if the
 * handler ignores the signal (a stuck handler must not block its queue).
 *
 * Outcomes: success completes the job; a throw or timeout fails the attempt (retry
 * after back-off, or `failed` with event `job.failed` once attempts are used up);
 * cancellation and a lost lease write nothing (someone else owns the row now);
 * shutdown hands the job back (`releaseJob`) so another instance runs it at once.
 */
import type { Logger } from 'pino';
import type { JobContext, JobHandler } from '../contract/jobs.ts';
import type { Database } from '../db/database.ts';
import { recordEvent } from '../events/record-event.ts';
import { retryDelayMs } from './backoff.ts';
import {
  type Claim,
  completeJob,
  failAttempt,
  type JobRow,
  releaseJob,
  renewLease,
  saveProgress,
} from './job-store.ts';

export type AbortKind = 'timeout' | 'cancelled' | 'lease-lost' | 'shutdown';

export class JobAborted extends Error {
  constructor(
    readonly kind: AbortKind,
    message: string,
  ) {
    super(message);
    this.name = 'JobAborted';
  }
}

export interface AttemptDeps {
  database: Database;
  logger: Logger;
  extensionId: string;
  workerId: string;
  leaseMs: number;
}

export interface RunningAttempt {
  claim: Claim;
  abort(kind: AbortKind, message: string): void;
  /** Settles once the outcome is written (never rejects): the retry delay if the job will run again. */
  done: Promise<number | null>;
}

const toDate = (value: string | Date | null) =>
  value === null ? null : value instanceof Date ? value : new Date(value);

export function runAttempt(deps: AttemptDeps, row: JobRow, handler: JobHandler): RunningAttempt {
  const claim: Claim = { id: row.id, workerId: deps.workerId, attempt: Number(row.attempt) };
  const maxAttempts = Number(row.max_attempts);
  const controller = new AbortController();
  const abort = (kind: AbortKind, message: string) => {
    if (!controller.signal.aborted) controller.abort(new JobAborted(kind, message));
  };
  const { db } = deps.database;
  const eventBase = {
    workspaceId: row.workspace_id,
    actorId: null,
    entityType: 'job',
    entityId: row.id,
  };

  const context: JobContext = {
    id: row.id,
    queue: row.queue,
    workspaceId: row.workspace_id,
    payload: row.payload,
    attempt: claim.attempt,
    maxAttempts,
    scheduledFor: toDate(row.scheduled_for),
    signal: controller.signal,
    reportProgress: async (progress) => {
      await db.transaction(async (tx) => {
        if (!(await saveProgress(tx, claim, progress))) return;
        await recordEvent(tx, {
          ...eventBase,
          type: 'job.progress',
          data: { extension: deps.extensionId, queue: row.queue, attempt: claim.attempt, progress },
        });
      });
    },
  };

  let retryingInMs: number | null = null;
  const fail = async (error: string) => {
    const final = claim.attempt >= maxAttempts;
    const retryInMs = final ? null : retryDelayMs(claim.attempt, Number(row.retry_delay_ms));
    await db.transaction(async (tx) => {
      const applied = await failAttempt(tx, claim, { error, retryInMs });
      if (applied) retryingInMs = retryInMs;
      if (applied && final) {
        await recordEvent(tx, {
          ...eventBase,
          type: 'job.failed',
          data: { extension: deps.extensionId, queue: row.queue, attempts: claim.attempt, error },
        });
      }
    });
  };

  const execute = async () => {
    if (claim.attempt > maxAttempts) {
      // Claimed again after its lease expired on the last allowed attempt.
      await fail('the process running the last attempt stopped (its lease expired)');
      return;
    }
    const timeout = setTimeout(
      () => abort('timeout', `timed out after ${row.timeout_ms} ms`),
      Number(row.timeout_ms),
    );
    const renewal = setInterval(
      () => {
        renewLease(db, claim, deps.leaseMs)
          .then((held) => {
            if (!held) abort('lease-lost', 'the job was cancelled or claimed by another process');
          })
          .catch((error) => deps.logger.warn({ err: error, job: row.id }, 'could not renew a job lease'));
      },
      Math.max(10, Math.floor(deps.leaseMs / 3)),
    );
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    try {
      await Promise.race([Promise.resolve().then(() => handler(context)), aborted]);
      if (controller.signal.aborted) throw controller.signal.reason;
      await completeJob(db, claim);
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof JobAborted && reason.kind === 'shutdown') await releaseJob(db, claim);
      else if (
        reason instanceof JobAborted &&
        (reason.kind === 'cancelled' || reason.kind === 'lease-lost')
      ) {
        deps.logger.info({ job: row.id, reason: reason.message }, 'job attempt stopped');
      } else {
        deps.logger.warn(
          { err: reason, job: row.id, queue: row.queue, attempt: claim.attempt, maxAttempts },
          'job attempt failed',
        );
        await fail(reason instanceof Error ? reason.message : String(reason));
      }
    } finally {
      clearTimeout(timeout);
      clearInterval(renewal);
    }
  };

  const done = execute().then(
    () => retryingInMs,
    (error) => {
      deps.logger.error({ err: error, job: row.id }, 'could not record a job outcome');
      return null;
    },
  );
  return { claim, abort, done };
}
