/**
 * Time-based triggers. Each enabled cron or reminder trigger has one pending job for
 * its next slot (`next_job_id`). When the job runs it claims the slot's firing, then
 * enqueues the job of the following slot, in one transaction. Editing, disabling or
 * deleting a trigger replaces or clears `next_job_id`, so an older job that still runs
 * finds it is not the trigger's and does nothing.
 *
 * Slots missed while no instance ran (or while triggers was disabled in the
 * workspace, when its jobs wait) follow the trigger's `missed` policy: `skip` records
 * the late slot as skipped; `run_once` fires it once. Either way the next slot is the
 * first one after now, so a long outage never replays a backlog.
 */
import { type Db, type EventInput, type ExtensionEvents, type ExtensionJobs, orm } from '@maskin/contract';
import { Cron } from 'croner';
import type { CronConfig, ReminderConfig } from './definition.ts';
import { lockTrigger, type TriggerEngine } from './engine.ts';
import type { TriggerEventType, TriggersSettings } from './manifest.ts';
import { type TriggerRow, triggers } from './tables.ts';

const { eq } = orm;

export const TICK_QUEUE = 'tick';

export interface TickPayload {
  triggerId: string;
  /** The slot this job fires (ISO time). */
  slot: string;
}

/** The first slot of a cron trigger strictly after `after`, or null when there is none. */
export function nextCronSlot(config: CronConfig, after: Date): Date | null {
  return new Cron(config.expression, { timezone: config.timezone, paused: true }).nextRun(after);
}

/** The next `count` slots after `after` (POST /test shows them). */
export function upcomingSlots(config: CronConfig, after: Date, count: number): Date[] {
  return new Cron(config.expression, { timezone: config.timezone, paused: true }).nextRuns(count, after);
}

/**
 * Points the trigger at the job of its next slot (or at none). Call in the transaction
 * that creates, edits, enables or disables a time-based trigger, and after each slot.
 */
export async function scheduleNext(
  tx: Db,
  jobs: ExtensionJobs,
  trigger: TriggerRow,
  after: Date,
): Promise<void> {
  if (trigger.nextJobId) await jobs.cancel(tx, trigger.nextJobId);
  let slot: Date | null = null;
  if (trigger.enabled && trigger.type === 'cron') slot = nextCronSlot(trigger.config as CronConfig, after);
  if (trigger.enabled && trigger.type === 'reminder') slot = new Date((trigger.config as ReminderConfig).at);
  if (!slot) {
    await tx.update(triggers).set({ nextJobId: null, nextRunAt: null }).where(eq(triggers.id, trigger.id));
    return;
  }
  const job = await jobs.enqueue<TickPayload>(tx, {
    queue: TICK_QUEUE,
    workspaceId: trigger.workspaceId,
    payload: { triggerId: trigger.id, slot: slot.toISOString() },
    runAt: slot,
    maxAttempts: 10,
  });
  await tx.update(triggers).set({ nextJobId: job.id, nextRunAt: slot }).where(eq(triggers.id, trigger.id));
}

export async function runTick(
  tx: Db,
  deps: {
    jobs: ExtensionJobs;
    engine: TriggerEngine;
    events: ExtensionEvents<TriggerEventType>;
    settings: (workspaceId: string) => Promise<TriggersSettings>;
  },
  job: { id: string; workspaceId: string; payload: TickPayload },
): Promise<void> {
  const trigger = await lockTrigger(tx, job.workspaceId, job.payload.triggerId);
  if (!trigger?.enabled || trigger.nextJobId !== job.id) return;
  const slot = new Date(job.payload.slot);
  const now = new Date();
  if (trigger.type === 'reminder') {
    await deps.engine.claim(tx, trigger, { key: 'reminder', scheduledFor: slot });
    await tx
      .update(triggers)
      .set({
        enabled: false,
        disabledReason: 'reminder fired',
        nextJobId: null,
        nextRunAt: null,
        updatedAt: now,
      })
      .where(eq(triggers.id, trigger.id));
    const event: EventInput & { type: TriggerEventType } = {
      workspaceId: trigger.workspaceId,
      actorId: trigger.createdBy,
      type: 'trigger.disabled',
      entityType: 'trigger',
      entityId: trigger.id,
      data: { reason: 'reminder_fired' },
    };
    await deps.events.record(tx, event);
    return;
  }
  const { missed_grace_seconds } = await deps.settings(trigger.workspaceId);
  const late = now.getTime() - slot.getTime() > missed_grace_seconds * 1000;
  const config = trigger.config as CronConfig;
  const skip = late && config.missed === 'skip' ? 'missed' : undefined;
  await deps.engine.claim(tx, trigger, { key: `cron:${slot.toISOString()}`, scheduledFor: slot }, skip);
  // the claim may have disabled nothing, but it locked the row: read what it holds now
  const current = await lockTrigger(tx, trigger.workspaceId, trigger.id);
  if (current?.enabled) await scheduleNext(tx, deps.jobs, { ...current, nextJobId: null }, late ? now : slot);
}
