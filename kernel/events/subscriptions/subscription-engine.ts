/**
 * The process's durable-subscription workers and their one LISTEN on the events
 * channel. Every event's NOTIFY (`<scope>:<id>`, record-event.ts) wakes every running
 * consumer for that workspace; a periodic sweep, and a sweep whenever the listener
 * (re)connects, cover notifications that were lost (a dropped connection, an instance
 * that was busy). The engine holds the listener only while some worker runs.
 */

import type { Logger } from 'pino';
import { isUuid } from '../../contract/values.ts';
import type { Database, Db } from '../../db/database.ts';
import { ACCOUNT_SCOPE, EVENTS_CHANNEL } from '../record-event.ts';
import { ConsumerWorker } from './consumer-worker.ts';
import type { Consumer } from './deliver-next.ts';

export interface SubscriptionEngineDeps {
  database: Database;
  logger: Logger;
  isEnabled(workspaceId: string, extensionId: string): Promise<boolean>;
  isEnabledInTransaction(tx: Db, workspaceId: string, extensionId: string): Promise<boolean>;
  /** Fallback sweep interval; default 5 s. */
  sweepMs?: number;
}

const DEFAULT_SWEEP_MS = 5000;

export class SubscriptionEngine {
  private readonly running = new Set<ConsumerWorker>();
  private stopListening: (() => Promise<void>) | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SubscriptionEngineDeps) {}

  createWorker(consumer: Consumer): ConsumerWorker {
    return new ConsumerWorker(consumer, {
      db: this.deps.database.db,
      logger: this.deps.logger,
      isEnabled: this.deps.isEnabled,
      isEnabledInTransaction: this.deps.isEnabledInTransaction,
    });
  }

  async start(workers: readonly ConsumerWorker[]): Promise<void> {
    if (workers.length === 0) return;
    if (!this.stopListening) {
      this.stopListening = await this.deps.database.listen(
        EVENTS_CHANNEL,
        (payload) => this.notified(payload),
        () => this.sweepAll(),
      );
      this.sweepTimer = setInterval(() => this.sweepAll(), this.deps.sweepMs ?? DEFAULT_SWEEP_MS);
      this.sweepTimer.unref();
    }
    for (const worker of workers) {
      await worker.start();
      this.running.add(worker);
    }
  }

  async stop(workers: readonly ConsumerWorker[]): Promise<void> {
    for (const worker of workers) this.running.delete(worker);
    await Promise.all(workers.map((worker) => worker.stop()));
    if (this.running.size === 0 && this.stopListening) {
      clearInterval(this.sweepTimer);
      const stop = this.stopListening;
      this.stopListening = undefined;
      await stop();
    }
  }

  private notified(payload: string): void {
    const scope = payload.slice(0, payload.lastIndexOf(':'));
    // Only workspace events wake consumers: not account-level events, and not the stream
    // hubs' listener probes (`probe:<token>`), which share the channel.
    if (scope === ACCOUNT_SCOPE || !isUuid(scope)) return;
    for (const worker of this.running) worker.wake(scope);
  }

  private sweepAll(): void {
    for (const worker of this.running) worker.sweep();
  }
}
