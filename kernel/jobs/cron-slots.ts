/**
 * Slots of a cron schedule (croner; 6 fields put seconds first), read in an IANA time
 * zone. A slot is the instant a run is due; it is the unique key that lets exactly
 * one process fire it (job_schedule_slots), so it must be computed identically by
 * every process: it depends only on the expression, the zone and the instant asked
 * about, never on when a timer happened to fire.
 */
import { Cron } from 'croner';

export interface CronSchedule {
  cron: string;
  timezone: string;
}

/** Throws a message naming the schedule when the expression or the zone is invalid. */
export function parseCron(name: string, schedule: CronSchedule): Cron {
  try {
    const cron = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
    cron.nextRun(new Date(0));
    return cron;
  } catch (error) {
    throw new Error(
      `Schedule "${name}" has an invalid cron "${schedule.cron}" or time zone "${schedule.timezone}": ${(error as Error).message}`,
    );
  }
}

/** The first slot strictly after `after`, or null when the expression has none left. */
export function nextSlot(cron: Cron, after: Date): Date | null {
  return cron.nextRun(after);
}
