/**
 * Schedules one consumer's deliveries in this process: which workspaces to look at,
 * and when. It never decides what is delivered (deliver-next.ts does, under the
 * cursor's lock), so a wake-up too many costs one short transaction and a wake-up too
 * few is made up by the engine's periodic sweep.
 *
 * Workspaces to look at come from NOTIFY (`<scope>:<id>` of every event, any process),
 * from a sweep (every workspace whose log is past this consumer's cursor: at start,
 * which is the catch-up after downtime, after the listener reconnects, and
 * periodically), and from timers: a failed handler's retry time, and a short recheck
 * when another instance held the cursor (it may stop before it sees the latest event).
 *
 * One pass at a time per worker, so this process never runs two deliveries of one
 * consumer at once; a workspace is taken off the to-do set before it is drained, so an
 * event that arrives while draining puts it back for the next pass, which starts at
 * most COALESCE_MS after this one ended.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import { ensureCursor, passCursorToEnd, registerConsumer, scopesBehind } from './cursor-store.ts';
import { type Consumer, deliverNext } from './deliver-next.ts';

/** After another instance held the cursor: look again this much later. */
const BUSY_RECHECK_MS = 1000;
/** After an unexpected error (database down): try the workspace again this much later. */
const ERROR_RETRY_MS = 2000;
const MAX_KNOWN_CURSORS = 10_000;
/** Events that arrive within this long after a pass wait for the next one (see kick). */
const COALESCE_MS = 20;
/** Timer key of a registration retry (workspace ids are UUIDs, so it cannot clash). */
const REGISTRATION_TIMER = 'registration';

export interface WorkerDeps {
  db: Db;
  logger: Logger;
  isEnabled(workspaceId: string, extensionId: string): Promise<boolean>;
  /** Uncached, in the delivery's transaction: the cache can trail a disable by a moment. */
  isEnabledInTransaction(tx: Db, workspaceId: string, extensionId: string): Promise<boolean>;
}

export class ConsumerWorker {
  private readonly toDo = new Set<string>();
  private sweepWanted = false;
  private running: Promise<void> | undefined;
  /** True until registration succeeded, and again once stop() was called. */
  private stopped = true;
  private stopping = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Workspaces known to have this consumer's cursor row (saves a statement per drain). */
  private readonly withCursor = new Set<string>();
  private readonly logger: Logger;
  private kickTimer: NodeJS.Timeout | undefined;
  private lastPassEndedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly consumer: Consumer,
    private readonly deps: WorkerDeps,
  ) {
    this.logger = deps.logger.child({ consumer: consumer.key });
  }

  /**
   * Registers the consumer (the first time: cursors at the current end of every log),
   * then catches up. Until registration succeeds, wake-ups are ignored: a cursor
   * created before it would start at 0 and replay history. A failed registration
   * (database unavailable) is retried, so the consumer is not lost for this process.
   */
  async start(): Promise<void> {
    this.stopping = false;
    try {
      await registerConsumer(this.deps.db, this.consumer.key);
    } catch (error) {
      this.logger.error({ err: error }, 'subscription registration failed; retrying');
      if (!this.stopping)
        this.later(REGISTRATION_TIMER, Date.now() + ERROR_RETRY_MS, () => void this.start());
      return;
    }
    if (this.stopping) return;
    this.stopped = false;
    this.sweep();
  }

  /** Finishes the delivery in flight (its transaction commits or rolls back), then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    await this.running;
  }

  wake(scope: string): void {
    if (this.stopped) return;
    this.toDo.add(scope);
    this.kick();
  }

  sweep(): void {
    if (this.stopped) return;
    this.sweepWanted = true;
    this.kick();
  }

  /**
   * Starts a pass now, or, when the last one ended less than COALESCE_MS ago, at the
   * end of that window: under a stream of events, each pass then delivers the events of
   * the window as one batch (deliver-next.ts) instead of one transaction per event. An
   * event after a quiet moment is delivered at once.
   */
  private kick(): void {
    if (this.running || this.kickTimer || this.stopped) return;
    const wait = this.lastPassEndedAt + COALESCE_MS - Date.now();
    if (wait > 0) {
      this.kickTimer = setTimeout(() => {
        this.kickTimer = undefined;
        this.kick();
      }, wait);
      this.kickTimer.unref();
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      this.lastPassEndedAt = Date.now();
      if (this.sweepWanted || this.toDo.size > 0) this.kick();
    });
  }

  /** One pass over the workspaces to do (and the sweep, when one is wanted). */
  private async run(): Promise<void> {
    if (!this.stopped && (this.sweepWanted || this.toDo.size > 0)) {
      if (this.sweepWanted) {
        this.sweepWanted = false;
        try {
          for (const scope of await scopesBehind(this.deps.db, this.consumer.key)) this.toDo.add(scope);
        } catch (error) {
          this.logger.error({ err: error }, 'subscription sweep failed; the next sweep retries');
        }
      }
      const scopes = [...this.toDo];
      this.toDo.clear();
      for (const scope of scopes) {
        if (this.stopped) return;
        await this.drain(scope);
      }
    }
  }

  /** Delivers this workspace's events until it is caught up, busy elsewhere, or backing off. */
  private async drain(scope: string): Promise<void> {
    const { db, isEnabled } = this.deps;
    try {
      if (!this.withCursor.has(scope)) {
        await ensureCursor(db, this.consumer.key, scope);
        if (this.withCursor.size >= MAX_KNOWN_CURSORS) this.withCursor.clear();
        this.withCursor.add(scope);
      }
      if (!(await isEnabled(scope, this.consumer.extensionId))) {
        await passCursorToEnd(db, this.consumer.key, scope);
        return;
      }
      while (!this.stopped) {
        const outcome = await deliverNext(db, this.consumer, scope, (tx) =>
          this.deps.isEnabledInTransaction(tx, scope, this.consumer.extensionId),
        );
        if (outcome.kind === 'delivered') continue;
        if (outcome.kind === 'parked') {
          this.logger.warn({ workspace: scope, error: outcome.error }, 'event parked after its last attempt');
          continue;
        }
        if (outcome.kind === 'retry-later') {
          if (outcome.error)
            this.logger.warn({ workspace: scope, error: outcome.error }, 'handler failed; retrying');
          this.recheckAt(scope, outcome.retryAt.getTime());
        } else if (outcome.kind === 'busy') {
          this.recheckAt(scope, Date.now() + BUSY_RECHECK_MS);
        } else if (outcome.kind === 'gone') {
          this.withCursor.delete(scope);
        }
        return;
      }
    } catch (error) {
      this.logger.error({ err: error, workspace: scope }, 'subscription delivery failed; retrying');
      this.recheckAt(scope, Date.now() + ERROR_RETRY_MS);
    }
  }

  private recheckAt(scope: string, at: number): void {
    if (this.stopped) return;
    this.later(scope, at, () => this.wake(scope));
  }

  /** One pending timer per key; an earlier one is kept. */
  private later(key: string, at: number, run: () => void): void {
    if (this.timers.has(key)) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        run();
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.timers.set(key, timer);
  }
}
