/**
 * One queue's worker in one process: claims up to `concurrency` jobs and runs them.
 *
 * It claims when woken (a NOTIFY for its queue after an enqueue commits, an attempt
 * finishing) and when the process's fallback poll finds work in its queue
 * (due-queues-poll.ts), so a missed notification costs at most one poll interval.
 * Claims never overlap within the process (one pump at a time; a wake during a pump
 * makes it go round once more), and across processes the claim query itself keeps
 * them apart (job-store.ts).
 *
 * Stopping: no new claims; running attempts get `graceMs` to finish, then their
 * signals are aborted and their jobs handed back to run elsewhere at once.
 */
import type { Logger } from 'pino';
import type { Enablement } from '../contract/extension.ts';
import type { JobHandler } from '../contract/jobs.ts';
import type { Database } from '../db/database.ts';
import type { DueQueuesPoll } from './due-queues-poll.ts';
import { claimJobs } from './job-store.ts';
import { type RunningAttempt, runAttempt } from './run-attempt.ts';

export interface QueueWorkerOptions {
  database: Database;
  logger: Logger;
  extensionId: string;
  enablement: Enablement;
  queue: string;
  handler: JobHandler;
  workerId: string;
  concurrency: number;
  leaseMs: number;
  pollIntervalMs: number;
  /** The process's fallback poll, shared by its workers. */
  poll: DueQueuesPoll;
}

export class QueueWorker {
  private readonly running = new Map<string, RunningAttempt>();
  private pumping = false;
  private pumpDone: Promise<void> = Promise.resolve();
  private pumpAgain = false;
  private stopped = true;
  private stopPolling: (() => void) | undefined;

  constructor(private readonly options: QueueWorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { extensionId, queue, pollIntervalMs } = this.options;
    this.stopPolling = this.options.poll.add({
      extensionId,
      queue,
      intervalMs: pollIntervalMs,
      wake: () => this.wake(),
    });
    this.wake();
  }

  /** Claims what it has room for now (coalesces concurrent wake-ups). */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumpDone = this.pump().finally(() => {
      this.pumping = false;
    });
  }

  /** Aborts a job this process is running (its row is already cancelled). */
  cancel(jobId: string): void {
    this.running.get(jobId)?.abort('cancelled', 'the job was cancelled');
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.stopPolling?.();
    // A claim in flight launches what it claimed; wait for it so those are stopped too.
    await this.pumpDone;
    const attempts = [...this.running.values()];
    if (attempts.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all(attempts.map((attempt) => attempt.done)), grace]);
    clearTimeout(timer);
    for (const attempt of this.running.values()) attempt.abort('shutdown', 'the process is shutting down');
    await Promise.all(attempts.map((attempt) => attempt.done));
  }

  private async pump(): Promise<void> {
    const { options } = this;
    try {
      do {
        this.pumpAgain = false;
        while (!this.stopped && this.running.size < options.concurrency) {
          const rows = await claimJobs(options.database.db, {
            extensionId: options.extensionId,
            enablement: options.enablement,
            queue: options.queue,
            limit: options.concurrency - this.running.size,
            workerId: options.workerId,
            leaseMs: options.leaseMs,
          });
          if (rows.length === 0) break;
          for (const row of rows) this.launch(row);
        }
      } while (this.pumpAgain && !this.stopped);
    } catch (error) {
      // The next poll tries again (the database may be restarting).
      options.logger.warn({ err: error, queue: options.queue }, 'claiming jobs failed');
    }
  }

  private launch(row: Parameters<typeof runAttempt>[1]): void {
    const { options } = this;
    const attempt = runAttempt(
      {
        database: options.database,
        logger: options.logger,
        extensionId: options.extensionId,
        workerId: options.workerId,
        leaseMs: options.leaseMs,
      },
      row,
      options.handler,
    );
    this.running.set(row.id, attempt);
    void attempt.done.then((retryInMs) => {
      this.running.delete(row.id);
      this.wake();
      // A retry due before the next poll is claimed when due, not a poll later.
      if (retryInMs !== null && retryInMs < options.pollIntervalMs) {
        setTimeout(() => this.wake(), retryInMs + 1).unref();
      }
    });
  }
}
