/**
 * Idempotency keys are kept 24 h; past that a row is only ignored by the middleware,
 * so without a sweep the table (which stores response bodies) grows forever. Each
 * process sweeps on a timer: deleting expired rows is idempotent, so several
 * instances sweeping at once only repeat harmless work. Deletes go in small batches
 * so one sweep never holds many row locks or a long transaction (PGlite has a
 * single connection that every request shares).
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';

export const IDEMPOTENCY_RETENTION = '24 hours';
const SWEEP_INTERVAL_MS = 10 * 60_000;
const BATCH = 500;

/** Deletes every expired idempotency row; returns how many. */
export async function sweepIdempotencyKeys(database: Database, batch = BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await database.query(
      `delete from idempotency_keys where ctid in (
         select ctid from idempotency_keys
          where created_at < now() - interval '${IDEMPOTENCY_RETENTION}'
          limit $1)
       returning 1`,
      [batch],
    );
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

/** Sweeps every SWEEP_INTERVAL_MS until the returned stop() (which waits for a running sweep). */
export function startIdempotencySweep(database: Database, logger: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepIdempotencyKeys(database)
      .then((deleted) => {
        if (deleted > 0) logger.debug({ deleted }, 'swept expired idempotency keys');
      })
      .catch((error) => logger.warn({ err: error }, 'idempotency sweep failed; will retry'))
      .finally(() => {
        running = undefined;
      });
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
