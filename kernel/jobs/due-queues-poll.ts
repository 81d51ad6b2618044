/**
 * The fallback poll of every queue worker in this process, as one statement per tick.
 *
 * A worker claims when a NOTIFY wakes it; the poll covers what no notification
 * announces (a retry coming due, a lease that expired on a dead process, a missed
 * notification). Each worker used to poll by claiming: eleven queues cost eleven
 * claim statements a second per instance, idle or not, and on the embedded PGlite,
 * whose one connection serves the requests too, every claim held it. Now one
 * statement asks which of this process's queues have claimable work (an index probe
 * per queue on the partial indexes `jobs_due` and `jobs_leased`), and only their
 * workers claim.
 *
 * The probe ignores enablement: a job waiting for its extension to be enabled in its
 * workspace wakes its worker, whose claim skips it (as every poll did before).
 * Each worker keeps its own interval: the poll ticks at the shortest, and asks about
 * a queue once its interval has passed since it last asked.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';

export interface PolledQueue {
  extensionId: string;
  queue: string;
  intervalMs: number;
  /** Called when the queue has claimable work. */
  wake(): void;
}

interface Registered extends PolledQueue {
  askedAt: number;
}

/** The queues among `queues` (parallel arrays) that have a job to claim now. */
const DUE_QUEUES_SQL = `select w.extension_id, w.queue
  from unnest($1::text[], $2::text[]) as w(extension_id, queue)
 where exists (select 1 from jobs j
                where j.extension_id = w.extension_id and j.queue = w.queue
                  and j.state = 'pending' and j.run_at <= now())
    or exists (select 1 from jobs j
                where j.extension_id = w.extension_id and j.queue = w.queue
                  and j.state = 'running' and j.locked_until < now())`;

export class DueQueuesPoll {
  private readonly queues = new Set<Registered>();
  private timer: NodeJS.Timeout | undefined;
  private tickMs = 0;
  private asking = false;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
  ) {}

  /** Polls for `queue` until the returned function is called. */
  add(queue: PolledQueue): () => void {
    const registered: Registered = { ...queue, askedAt: Date.now() };
    this.queues.add(registered);
    this.reschedule();
    return () => {
      this.queues.delete(registered);
      this.reschedule();
    };
  }

  /** One tick now (tests; the timer calls it otherwise). Resolves once the woken are woken. */
  async tick(now = Date.now()): Promise<void> {
    if (this.asking) return;
    // Half a tick of slack: a timer firing a little early must not skip a whole tick.
    const slack = this.tickMs / 2;
    const due = [...this.queues].filter((queue) => now - queue.askedAt + slack >= queue.intervalMs);
    if (due.length === 0) return;
    this.asking = true;
    try {
      const rows = await this.database.query<{ extension_id: string; queue: string }>(DUE_QUEUES_SQL, [
        due.map((queue) => queue.extensionId),
        due.map((queue) => queue.queue),
      ]);
      const ready = new Set(rows.map((row) => `${row.extension_id}\u0000${row.queue}`));
      for (const queue of due) {
        queue.askedAt = now;
        if (ready.has(`${queue.extensionId}\u0000${queue.queue}`) && this.queues.has(queue)) queue.wake();
      }
    } catch (error) {
      // The next tick asks again (the database may be restarting).
      this.logger.warn({ err: error }, 'polling job queues failed');
    } finally {
      this.asking = false;
    }
  }

  private reschedule(): void {
    const shortest = Math.min(...[...this.queues].map((queue) => queue.intervalMs));
    if (shortest === this.tickMs) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.tickMs = Number.isFinite(shortest) ? shortest : 0;
    if (this.tickMs === 0) return;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }
}
