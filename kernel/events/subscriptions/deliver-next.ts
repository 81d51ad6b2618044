/**
 * Delivers the next events of one consumer in one workspace: the unit of work of
 * durable subscriptions, and the place where their guarantees are made.
 *
 * One transaction: lock the cursor row `FOR UPDATE SKIP LOCKED` and read the next
 * matching events after it (a batch, in the same statement), run the handler with that
 * transaction for each (all under one savepoint), move the cursor past the last one
 * handled, commit.
 *
 * - Exactly-once effect. The handler's writes through `tx` and the cursor's new value
 *   commit atomically. If the process dies before COMMIT, both are lost and the event
 *   is delivered again; after COMMIT, no instance can read the old cursor value.
 * - One instance at a time. The row lock is held until commit; another instance (or
 *   worker) that tries the same consumer and workspace skips the locked row instead of
 *   waiting and leaves the work to the holder. `FOR UPDATE` reads the latest committed
 *   cursor, never a stale one, so the next holder continues where the last stopped.
 * - No event missed. Event ids of a workspace become visible in commit order (see
 *   record-event.ts), and a page of events and the log's last id are read in one
 *   statement (one snapshot): every id up to that last id is visible to it, so when
 *   the page holds fewer events than asked, moving the cursor to that last id past
 *   non-matching events skips nothing that commits later.
 * - A failing handler. The batch's savepoint is rolled back (none of its writes
 *   remain); the events before it in the batch are handled again in a new savepoint,
 *   and when it is the first of a batch its attempt is counted on the cursor with a
 *   retry time (exponential back-off), and the transaction commits that. A handler can
 *   therefore be called more than once for an event; only one call's writes commit. At `maxAttempts` the event is parked (dead-letter row
 *   and event, dead-letters.ts) and the cursor moves past it: one bad event does not
 *   stop the consumer.
 *
 * The transaction is held only for the handler's own work (PGlite has one connection:
 * everything else waits for it), so handlers must be short and use `tx`.
 */
import { sql } from 'drizzle-orm';
import type { SubscriptionHandler } from '../../contract/event-log.ts';
import { type Db, resultRows } from '../../db/database.ts';
import type { EventJson } from '../event-log.ts';
import { advanceCursor, type ClaimedCursor, cursorExists, recordFailedAttempt } from './cursor-store.ts';
import { errorText, parkEvent } from './dead-letters.ts';

export interface Consumer {
  /** `<extension id>:<name>`: the key of its cursors. */
  key: string;
  extensionId: string;
  types: readonly string[];
  handler: SubscriptionHandler;
  maxAttempts: number;
  backoff: { initialMs: number; maxMs: number };
}

export type DeliveryOutcome =
  /** Another transaction holds this cursor: it delivers. */
  | { kind: 'busy' }
  /** No cursor: the workspace was deleted (its cursors went with it). */
  | { kind: 'gone' }
  /** Nothing left to deliver in this workspace. */
  | { kind: 'caught-up' }
  | { kind: 'delivered' }
  | { kind: 'parked'; error: string }
  /** The handler failed (now, or before and its back-off is not over): try again at retryAt. */
  | { kind: 'retry-later'; retryAt: Date; error?: string };

interface EventRow {
  latest_id: string | number | null;
  id: string | number | null;
  workspace_id: string | null;
  type: string;
  actor_id: string | null;
  entity_type: string;
  entity_id: string | null;
  data: Record<string, unknown> | string;
  created_at: string | Date;
}

/** `types: ['*']`: every event of the workspace (triggers match on types chosen at runtime). */
export const ALL_EVENT_TYPES = '*';

export function backoffDelay(backoff: Consumer['backoff'], attempt: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));
}

function typeFilterOf(types: readonly string[]) {
  return types.includes(ALL_EVENT_TYPES)
    ? sql``
    : sql`and type in (${sql.join(
        types.map((type) => sql`${type}`),
        sql`, `,
      )})`;
}

const NEXT_COLUMNS = sql.raw('id, workspace_id, type, actor_id, entity_type, entity_id, data, created_at');

/**
 * Up to `asked` matching events after a position and the log's last id, read in one
 * statement (one snapshot). `complete` means no other matching event exists up to
 * `latestId`, so once these are handled the cursor may move to `latestId`.
 */
interface Page {
  events: EventJson[];
  latestId: number;
  complete: boolean;
}

function pageOf(rows: EventRow[], afterId: number, asked: number): Page {
  const latest = rows[0]?.latest_id;
  const latestId = latest === null || latest === undefined ? afterId : Number(latest);
  const events = rows
    .filter((row) => row.id !== null)
    .map(
      (row): EventJson => ({
        id: Number(row.id),
        workspace_id: row.workspace_id,
        type: row.type,
        actor_id: row.actor_id,
        entity_type: row.entity_type,
        entity_id: row.entity_id,
        data: typeof row.data === 'string' ? JSON.parse(row.data) : row.data,
        created_at: new Date(row.created_at).toISOString(),
      }),
    );
  return { events, latestId, complete: events.length < asked };
}

/**
 * The cursor row locked `FOR UPDATE SKIP LOCKED` and, in the same statement and
 * snapshot, the first page of matching events after it and the log's last id: the
 * first read of a delivery costs one round trip, not two. Undefined when the row is
 * locked elsewhere or gone.
 */
async function claimWithNextEvents(tx: Db, consumer: Consumer, scope: string, asked: number) {
  const rows = resultRows<
    EventRow & {
      last_id: string | number;
      attempts: number;
      failing_event_id: string | number | null;
      retry_at: string | Date | null;
    }
  >(
    await tx.execute(sql`
      select cursor.last_id, cursor.attempts, cursor.failing_event_id, cursor.retry_at,
             (select max(id) from events where scope = ${scope} and id > cursor.last_id) as latest_id, next.*
        from (select last_id, attempts, failing_event_id, retry_at
                from event_subscription_cursors
               where consumer = ${consumer.key} and scope = ${scope}
                 for update skip locked) as cursor
        left join lateral (
          select ${NEXT_COLUMNS}
            from events
           where scope = ${scope} and id > cursor.last_id ${typeFilterOf(consumer.types)}
           order by id
           limit ${asked}
        ) as next on true
       order by next.id`),
  );
  const row = rows[0];
  if (!row) return undefined;
  const cursor: ClaimedCursor = {
    lastId: Number(row.last_id),
    attempts: row.attempts,
    failingEventId: row.failing_event_id === null ? null : Number(row.failing_event_id),
    retryAt: row.retry_at === null ? null : new Date(row.retry_at),
  };
  return { cursor, page: pageOf(rows, cursor.lastId, asked) };
}

interface BatchContext {
  tx: Db;
  consumer: Consumer;
  scope: string;
  claimed: NonNullable<Awaited<ReturnType<typeof claimWithNextEvents>>>;
  enabledNow: ((tx: Db) => Promise<boolean>) | undefined;
  limits: BatchLimits;
  started: number;
}

type BatchResult =
  | { end: 'delivered' | 'caught-up'; position: number }
  | { end: 'retry-later'; position: number; retryAt: Date }
  | { end: 'failed'; index: number; event: EventJson; attempt: number; error: string };

/** Thrown to roll the batch's savepoint back after a handler failed (its result says which). */
const ROLL_BACK = Symbol('roll back the batch');

/**
 * Handles up to `maxEvents` events after the cursor, all under one savepoint (two
 * statements per batch rather than per event). A failing handler rolls the savepoint
 * back: none of the batch's writes remain, and the result names the failing event's
 * place in the batch.
 */
async function runBatch(batch: BatchContext, maxEvents: number): Promise<BatchResult> {
  const { consumer, scope, claimed, enabledNow, limits } = batch;
  const { cursor } = claimed;
  let result: BatchResult | undefined;
  try {
    await batch.tx.transaction(async (tx) => {
      let position = cursor.lastId;
      // The claim read the whole batch's events (up to the batch's size): one statement.
      const { page } = claimed;
      for (let delivered = 0; ; delivered++) {
        if (delivered >= maxEvents || Date.now() - batch.started >= limits.budgetMs) {
          result = { end: 'delivered', position };
          return;
        }
        if (delivered === page.events.length) {
          // A full page may have more after it (the next delivery reads on); a short one
          // was everything that matched up to the log's last id.
          result = page.complete
            ? { end: 'caught-up', position: Math.max(position, page.latestId) }
            : { end: 'delivered', position };
          return;
        }
        const next = page.events[delivered]!;
        if (delivered === 0 && enabledNow && !(await enabledNow(tx))) {
          result = { end: 'caught-up', position: page.latestId };
          return;
        }
        const failedBefore = cursor.failingEventId === next.id ? cursor.attempts : 0;
        if (failedBefore > 0 && cursor.retryAt && cursor.retryAt.getTime() > Date.now()) {
          result = { end: 'retry-later', position, retryAt: cursor.retryAt };
          return;
        }
        const attempt = failedBefore + 1;
        try {
          await consumer.handler(next, { tx, workspaceId: scope, attempt });
        } catch (failure) {
          result = { end: 'failed', index: delivered, event: next, attempt, error: errorText(failure) };
          throw ROLL_BACK;
        }
        position = next.id;
      }
    });
  } catch (thrown) {
    if (thrown !== ROLL_BACK) throw thrown;
  }
  return result!;
}

/**
 * One delivery transaction delivers events one after the other until the workspace is
 * caught up, a handler fails, or the batch reaches its `maxEvents` or `budgetMs` (DEFAULT_BATCH):
 * a burst of events pays for one BEGIN, cursor claim, enablement check, savepoint,
 * cursor update and COMMIT instead of one each per event (on PGlite's one connection, those were most
 * of the cost of an object write once several consumers followed every event). The
 * budget bounds how long the transaction holds the cursor, and whatever a handler
 * locked (its workspace's event counter, when it records an event).
 */
export interface BatchLimits {
  maxEvents: number;
  budgetMs: number;
}
const DEFAULT_BATCH: BatchLimits = { maxEvents: 100, budgetMs: 25 };

/**
 * `enabledNow` is asked, in the delivery's transaction, before a handler runs: the
 * caller's cached check can trail a disable by a NOTIFY, and an event of a workspace
 * where the extension is disabled must pass the cursor unhandled. Without it (tests of
 * the mechanism itself) the extension counts as enabled.
 *
 * Outcomes: `delivered` when the batch ended with events possibly left (call again),
 * `caught-up` when it reached the end of the log (after delivering some or none).
 */
export async function deliverNext(
  db: Db,
  consumer: Consumer,
  scope: string,
  enabledNow?: (tx: Db) => Promise<boolean>,
  limits: BatchLimits = DEFAULT_BATCH,
): Promise<DeliveryOutcome> {
  return db.transaction(async (tx): Promise<DeliveryOutcome> => {
    const claimed = await claimWithNextEvents(tx, consumer, scope, limits.maxEvents);
    if (!claimed) return (await cursorExists(tx, consumer.key, scope)) ? { kind: 'busy' } : { kind: 'gone' };
    const { cursor } = claimed;
    const batch: BatchContext = { tx, consumer, scope, claimed, enabledNow, limits, started: Date.now() };
    let result = await runBatch(batch, limits.maxEvents);
    // A handler failed after others of the batch: the batch's savepoint undid them all.
    // Their events are handled again (their effects were undone, so each still has its
    // effect once), and the failing one is left for the next delivery, where it comes
    // first and its failure is counted.
    while (result.end === 'failed' && result.index > 0) result = await runBatch(batch, result.index);
    const moveTo = async (id: number) => {
      if (id > cursor.lastId) await advanceCursor(tx, consumer.key, scope, id);
    };
    if (result.end !== 'failed') {
      await moveTo(result.position);
      if (result.end === 'retry-later') return { kind: 'retry-later', retryAt: result.retryAt };
      return { kind: result.end };
    }
    const { event, attempt, error } = result;
    if (attempt >= consumer.maxAttempts) {
      await parkEvent(tx, {
        workspaceId: scope,
        extensionId: consumer.extensionId,
        consumer: consumer.key,
        event,
        attempts: attempt,
        error,
      });
      await advanceCursor(tx, consumer.key, scope, event.id);
      return { kind: 'parked', error };
    }
    const retryAt = new Date(Date.now() + backoffDelay(consumer.backoff, attempt));
    await recordFailedAttempt(tx, {
      consumer: consumer.key,
      scope,
      eventId: event.id,
      attempts: attempt,
      retryAt,
      error,
    });
    return { kind: 'retry-later', retryAt, error };
  });
}
