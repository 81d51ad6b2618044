/**
 * Per-workspace scheduling without listing workspaces. Each workspace has at most one
 * pending scheduled compile job, remembered in daily_digest_schedules:
 *
 * - enabling daily-digest (onEnabled), changing its settings, and every scheduled run
 *   call `scheduleNext` in their own transaction, so the chain is extended exactly
 *   when the fact that causes it commits;
 * - the job's singleton key is its slot (`scheduled:<time>`), so two callers that
 *   compute the same slot share one job;
 * - a job remembered for the workspace that is not the new one (a settings change
 *   moved the hour, a re-enable found an old job) is cancelled in the same
 *   transaction, so there is never a second chain. The running job itself is never
 *   cancelled (`runningJobId`).
 * - a run schedules the first slot after the later of now and its own slot, so a
 *   worker whose clock is a little behind the database's never re-enqueues its own
 *   slot (which would return itself, a running job, and end the chain).
 */
import type { Db, ExtensionJobs } from '@maskin/contract';
import { orm } from '@maskin/contract';
import { Cron } from 'croner';
import type { DailyDigestSettings } from './manifest.ts';
import { schedules } from './tables.ts';

export const COMPILE_QUEUE = 'compile';

export interface CompilePayload {
  kind: 'scheduled' | 'manual';
  /** A scheduled job's slot (ISO time): its successor is the first slot after it. */
  slot?: string;
}

/** The first `hour`:00 in `timezone` strictly after `after`. */
export function nextSlot(settings: DailyDigestSettings, after: Date): Date {
  const next = new Cron(`0 ${settings.hour} * * *`, { timezone: settings.timezone }).nextRun(after);
  if (!next) throw new Error(`No next run for hour ${settings.hour} in ${settings.timezone}`);
  return next;
}

export async function scheduleNext(
  tx: Db,
  jobs: ExtensionJobs,
  input: { workspaceId: string; settings: DailyDigestSettings; after?: Date; runningJobId?: string },
): Promise<{ jobId: string; runAt: Date }> {
  const runAt = nextSlot(input.settings, input.after ?? new Date());
  const job = await jobs.enqueue<CompilePayload>(tx, {
    queue: COMPILE_QUEUE,
    workspaceId: input.workspaceId,
    payload: { kind: 'scheduled', slot: runAt.toISOString() },
    runAt,
    singletonKey: `scheduled:${runAt.toISOString()}`,
    maxAttempts: 5,
    retryDelayMs: 30_000,
  });
  const [previous] = await tx
    .select()
    .from(schedules)
    .where(orm.eq(schedules.workspaceId, input.workspaceId))
    .for('update');
  if (previous && previous.jobId !== job.id && previous.jobId !== input.runningJobId) {
    await jobs.cancel(tx, previous.jobId);
  }
  await tx
    .insert(schedules)
    .values({ workspaceId: input.workspaceId, jobId: job.id, runAt })
    .onConflictDoUpdate({ target: schedules.workspaceId, set: { jobId: job.id, runAt } });
  return { jobId: job.id, runAt };
}

/**
 * At startup, restart any workspace's chain that broke: its remembered job finished
 * without enqueueing a successor (it failed every attempt, was cancelled, or is gone).
 * Only where daily-digest is still enabled; disabled workspaces restart on re-enable.
 */
export async function repairSchedules(
  db: Db,
  jobs: ExtensionJobs,
  context: {
    isEnabled(workspaceId: string): Promise<boolean>;
    settings(workspaceId: string): Promise<DailyDigestSettings>;
  },
): Promise<number> {
  let repaired = 0;
  for (const row of await db.select().from(schedules)) {
    const job = await jobs.get(row.jobId);
    if (job && (job.state === 'pending' || job.state === 'running')) continue;
    if (!(await context.isEnabled(row.workspaceId))) continue;
    const settings = await context.settings(row.workspaceId);
    await db.transaction((tx) => scheduleNext(tx, jobs, { workspaceId: row.workspaceId, settings }));
    repaired += 1;
  }
  return repaired;
}
