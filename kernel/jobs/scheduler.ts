/**
 * Fires an extension's schedules: every process that runs the extension arms a timer
 * for each schedule's next slot, and at the slot tries to insert the slot's row into
 * job_schedule_slots. The primary key (extension, schedule, slot) lets exactly one
 * insert win across all processes; the winner enqueues the slot's job in the same
 * transaction, so a slot is never claimed without its job nor enqueued twice. Slots
 * are computed from the expression alone (cron-slots.ts), so every process names a
 * slot identically whatever its timer's drift.
 *
 * The job carries singleton key `schedule:<name>`: while a slot's run is still pending
 * or running (or waits because the extension is disabled in its workspace), later
 * slots are skipped rather than piling up. Slots that passed while no process was
 * running are not replayed; neither are slots more than a minute late (a process that
 * was suspended resumes at the next slot instead of firing a burst).
 */

import type { Cron } from 'croner';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ScheduleInput } from '../contract/jobs.ts';
import { type Database, resultRows } from '../db/database.ts';
import { nextSlot } from './cron-slots.ts';
import { insertJob } from './job-store.ts';

const MAX_LATENESS_MS = 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const SLOT_RETENTION = '1 day';

export interface DeclaredSchedule {
  input: ScheduleInput & { queue: string; timezone: string };
  cron: Cron;
  maxAttempts: number;
  timeoutMs: number;
  retryDelayMs: number;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = true;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly extensionId: string,
    private readonly schedules: ReadonlyMap<string, DeclaredSchedule>,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const schedule of this.schedules.values()) this.arm(schedule, new Date());
  }

  /** Arms a schedule declared after start (no-op before start: start arms it). */
  track(schedule: DeclaredSchedule): void {
    if (!this.stopped) this.arm(schedule, new Date());
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Claims `slot` of a schedule and enqueues its job; true if this call won the slot.
   * Public so tests can race several schedulers on one slot.
   */
  async fire(schedule: DeclaredSchedule, slot: Date): Promise<boolean> {
    const { input } = schedule;
    return this.database.db.transaction(async (tx) => {
      const [claimed] = resultRows(
        await tx.execute(sql`
          insert into job_schedule_slots (extension_id, name, slot)
          values (${this.extensionId}, ${input.name}, ${slot.toISOString()}::timestamptz)
          on conflict do nothing returning slot`),
      );
      if (!claimed) return false;
      const job = await insertJob(tx, {
        extensionId: this.extensionId,
        queue: input.queue,
        workspaceId: input.workspaceId ?? null,
        payload: input.payload ?? {},
        runAt: undefined,
        singletonKey: `schedule:${input.name}`,
        maxAttempts: schedule.maxAttempts,
        timeoutMs: schedule.timeoutMs,
        retryDelayMs: schedule.retryDelayMs,
        scheduledFor: slot,
      });
      await tx.execute(sql`
        update job_schedule_slots set job_id = ${job.created ? job.id : null}
         where extension_id = ${this.extensionId} and name = ${input.name} and slot = ${slot.toISOString()}::timestamptz`);
      await tx.execute(sql`
        delete from job_schedule_slots
         where extension_id = ${this.extensionId} and name = ${input.name}
           and slot < ${slot.toISOString()}::timestamptz - interval '${sql.raw(SLOT_RETENTION)}'`);
      return true;
    });
  }

  private arm(schedule: DeclaredSchedule, after: Date): void {
    if (this.stopped) return;
    let slot = nextSlot(schedule.cron, after);
    if (slot && slot.getTime() < Date.now() - MAX_LATENESS_MS) slot = nextSlot(schedule.cron, new Date());
    if (!slot) return;
    const target = slot;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, target.getTime() - Date.now()));
    const timer = setTimeout(() => {
      // A timer may fire early (or the wait was capped): sleep again until the slot is due.
      if (Date.now() < target.getTime()) {
        this.arm(schedule, new Date(target.getTime() - 1));
        return;
      }
      this.fire(schedule, target)
        .catch((error) =>
          this.logger.error({ err: error, schedule: schedule.input.name }, 'could not fire a schedule slot'),
        )
        .finally(() => this.arm(schedule, target));
    }, wait);
    timer.unref();
    this.timers.set(schedule.input.name, timer);
  }
}
