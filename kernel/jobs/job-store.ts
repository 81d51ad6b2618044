/**
 * Every statement the jobs engine runs against the `jobs` table.
 *
 * Why the claim is correct across processes: it is one UPDATE whose subquery locks
 * candidate rows `FOR UPDATE SKIP LOCKED`, so two processes claiming at once lock
 * disjoint rows; the claimed row leaves the candidate set (state `running`, a lease in
 * the future) in the same statement, so a later claim cannot see it until its lease
 * expires. Each statement is its own short transaction: no transaction is ever held
 * across a handler run, which PGlite's single connection could not afford and which
 * would pin a pooled PostgreSQL connection per running job.
 *
 * Every later write of a claimed job (renew, complete, fail, release) is guarded by
 * `locked_by` and `attempt`: a process whose lease expired and whose job was claimed
 * again elsewhere cannot overwrite the newer attempt's outcome.
 *
 * Enablement: a job of a workspace where its extension is disabled is not a candidate
 * (it waits; see enabledPredicate). Filtering in the claim, rather than claiming and
 * putting back, keeps waiting jobs from starving the queue's head.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Enablement } from '../contract/extension.ts';
import type { JobInfo, JobState } from '../contract/jobs.ts';
import { type Db, resultRows } from '../db/database.ts';

export const JOBS_CHANNEL = 'maskin_jobs';

export interface JobRow {
  id: string;
  queue: string;
  workspace_id: string | null;
  payload: unknown;
  state: JobState;
  attempt: number;
  max_attempts: number;
  timeout_ms: number;
  retry_delay_ms: number;
  run_at: string | Date;
  scheduled_for: string | Date | null;
  progress: Record<string, unknown> | null;
  last_error: string | null;
  created_at: string | Date;
  finished_at: string | Date | null;
}

export interface NewJob {
  extensionId: string;
  queue: string;
  workspaceId: string | null;
  payload: unknown;
  runAt: Date | undefined;
  singletonKey: string | undefined;
  maxAttempts: number;
  timeoutMs: number;
  retryDelayMs: number;
  scheduledFor?: Date;
}

/** The wake-up a committed enqueue sends: `<extension>/<queue>`. */
export const wakePayload = (extensionId: string, queue: string) => `${extensionId}/${queue}`;
/** The cancellation a committed cancel sends: `cancel:<job id>`. */
export const cancelPayload = (jobId: string) => `cancel:${jobId}`;

/**
 * The same rule as EnablementStore.isEnabledIn, as SQL over the job's row: the stored
 * row of the workspace decides, else the manifest's default. `always` needs no check.
 */
function enabledPredicate(extensionId: string, enablement: Enablement): SQL {
  if (enablement === 'always') return sql`true`;
  const byDefault = enablement === 'default-on';
  return sql`(jobs.workspace_id is null or coalesce(
    (select enabled from workspace_extensions we
      where we.workspace_id = jobs.workspace_id and we.extension_id = ${extensionId}),
    ${byDefault}::boolean))`;
}

export async function insertJob(tx: Db, job: NewJob): Promise<{ id: string; created: boolean }> {
  const runAt = job.runAt ? job.runAt.toISOString() : null;
  // Only the singleton index can conflict (ids are fresh). The job holding the key may
  // finish between our insert and our read of it; then the key is free: insert again.
  for (let round = 0; round < 3; round++) {
    const [inserted] = resultRows<{ id: string }>(
      await tx.execute(sql`
        insert into jobs (extension_id, queue, workspace_id, payload, run_at, singleton_key, max_attempts,
                          timeout_ms, retry_delay_ms, scheduled_for)
        values (${job.extensionId}, ${job.queue}, ${job.workspaceId}, ${JSON.stringify(job.payload ?? null)}::jsonb,
                coalesce(${runAt}::timestamptz, now()), ${job.singletonKey ?? null}, ${job.maxAttempts},
                ${job.timeoutMs}, ${job.retryDelayMs}, ${job.scheduledFor?.toISOString() ?? null}::timestamptz)
        on conflict do nothing
        returning id`),
    );
    if (inserted) {
      await tx.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${wakePayload(job.extensionId, job.queue)})`);
      return { id: inserted.id, created: true };
    }
    const [existing] = resultRows<{ id: string }>(
      await tx.execute(sql`
        select id from jobs
         where extension_id = ${job.extensionId} and queue = ${job.queue}
           and workspace_id is not distinct from ${job.workspaceId}
           and singleton_key = ${job.singletonKey ?? null} and state in ('pending', 'running')`),
    );
    if (existing) return { id: existing.id, created: false };
  }
  throw new Error(`jobs: singleton key "${job.singletonKey}" kept changing hands; enqueue again`);
}

export interface ClaimRequest {
  extensionId: string;
  enablement: Enablement;
  queue: string;
  limit: number;
  workerId: string;
  leaseMs: number;
}

export async function claimJobs(db: Db, request: ClaimRequest): Promise<JobRow[]> {
  const { extensionId, queue } = request;
  return resultRows<JobRow>(
    await db.execute(sql`
      update jobs
         set state = 'running', attempt = attempt + 1, locked_by = ${request.workerId},
             locked_until = now() + ${request.leaseMs}::double precision * interval '1 millisecond', updated_at = now()
       where id in (
         select id from jobs
          where extension_id = ${extensionId} and queue = ${queue}
            and ((state = 'pending' and run_at <= now()) or (state = 'running' and locked_until < now()))
            and ${enabledPredicate(extensionId, request.enablement)}
          order by run_at, created_at
          limit ${request.limit}
          for update skip locked)
      returning id, queue, workspace_id, payload, state, attempt, max_attempts, timeout_ms, retry_delay_ms,
                run_at, scheduled_for, progress, last_error, created_at, finished_at`),
  );
}

/** Identifies one attempt of a claimed job: only its claimer may write its outcome. */
export interface Claim {
  id: string;
  workerId: string;
  attempt: number;
}

const ownedBy = (claim: Claim) =>
  sql`id = ${claim.id} and locked_by = ${claim.workerId} and attempt = ${claim.attempt} and state = 'running'`;

/** Extends the lease; false when the claim is gone (cancelled, or taken over after expiry). */
export async function renewLease(db: Db, claim: Claim, leaseMs: number): Promise<boolean> {
  const rows = resultRows(
    await db.execute(sql`
      update jobs set locked_until = now() + ${leaseMs}::double precision * interval '1 millisecond'
       where ${ownedBy(claim)} returning id`),
  );
  return rows.length > 0;
}

export async function completeJob(db: Db, claim: Claim): Promise<void> {
  await db.execute(sql`
    update jobs set state = 'completed', locked_by = null, locked_until = null, finished_at = now(),
                    updated_at = now()
     where ${ownedBy(claim)}`);
}

/** A failed attempt: back to pending after `retryInMs`, or failed for good. True if this write applied. */
export async function failAttempt(
  tx: Db,
  claim: Claim,
  outcome: { error: string; retryInMs: number | null },
): Promise<boolean> {
  const final = outcome.retryInMs === null;
  const rows = resultRows(
    await tx.execute(sql`
      update jobs
         set state = ${final ? 'failed' : 'pending'}, last_error = ${outcome.error.slice(0, 2000)},
             run_at = case when ${final}::boolean then run_at else now() + ${outcome.retryInMs ?? 0}::double precision * interval '1 millisecond' end,
             finished_at = case when ${final}::boolean then now() else null end,
             locked_by = null, locked_until = null, updated_at = now()
       where ${ownedBy(claim)} returning id`),
  );
  return rows.length > 0;
}

/** Hands an unfinished attempt back on shutdown: runnable at once elsewhere, the attempt not counted. */
export async function releaseJob(db: Db, claim: Claim): Promise<void> {
  await db.execute(sql`
    update jobs set state = 'pending', attempt = attempt - 1, run_at = now(), locked_by = null,
                    locked_until = null, updated_at = now()
     where ${ownedBy(claim)}`);
}

export async function cancelJob(tx: Db, extensionId: string, jobId: string): Promise<boolean> {
  const rows = resultRows(
    await tx.execute(sql`
      update jobs set state = 'cancelled', locked_by = null, locked_until = null, finished_at = now(),
                      updated_at = now()
       where id = ${jobId} and extension_id = ${extensionId} and state in ('pending', 'running')
       returning id`),
  );
  if (rows.length === 0) return false;
  await tx.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${cancelPayload(jobId)})`);
  return true;
}

/** Stores the latest progress; false when the attempt no longer owns the job. */
export async function saveProgress(
  tx: Db,
  claim: Claim,
  progress: Record<string, unknown>,
): Promise<boolean> {
  const rows = resultRows(
    await tx.execute(
      sql`update jobs set progress = ${JSON.stringify(progress)}::jsonb where ${ownedBy(claim)} returning id`,
    ),
  );
  return rows.length > 0;
}

export async function findJob(db: Db, extensionId: string, jobId: string): Promise<JobInfo | undefined> {
  const [row] = resultRows<JobRow>(
    await db.execute(sql`
      select id, queue, workspace_id, payload, state, attempt, max_attempts, timeout_ms, retry_delay_ms, run_at,
             scheduled_for, progress, last_error, created_at, finished_at
        from jobs where id = ${jobId} and extension_id = ${extensionId}`),
  );
  return row ? toJobInfo(row) : undefined;
}

const toDate = (value: string | Date) => (value instanceof Date ? value : new Date(value));

export function toJobInfo(row: JobRow): JobInfo {
  return {
    id: row.id,
    queue: row.queue,
    workspaceId: row.workspace_id,
    state: row.state,
    attempt: Number(row.attempt),
    maxAttempts: Number(row.max_attempts),
    runAt: toDate(row.run_at),
    progress: row.progress,
    lastError: row.last_error,
    scheduledFor: row.scheduled_for ? toDate(row.scheduled_for) : null,
    createdAt: toDate(row.created_at),
    finishedAt: row.finished_at ? toDate(row.finished_at) : null,
  };
}

/** Deletes finished jobs older than `olderThanMs`, a batch at a time (housekeeping). */
export async function deleteFinishedJobs(
  db: Db,
  extensionId: string,
  olderThanMs: number,
  batch = 500,
): Promise<number> {
  const rows = resultRows(
    await db.execute(sql`
      delete from jobs where id in (
        select id from jobs where extension_id = ${extensionId} and finished_at < now() - ${olderThanMs}::double precision * interval '1 millisecond' limit ${batch})
      returning id`),
  );
  return rows.length;
}
