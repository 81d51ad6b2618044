/**
 * The SQL behind durable subscriptions' cursors (table event_subscription_cursors,
 * migrations/0004_event_subscriptions.sql). Every function takes the connection or
 * transaction to run on; the locking argument lives in deliver-next.ts.
 */
import { sql } from 'drizzle-orm';
import { type Db, resultRows } from '../../db/database.ts';

export interface ClaimedCursor {
  lastId: number;
  attempts: number;
  failingEventId: number | null;
  retryAt: Date | null;
}

/**
 * First registration of a consumer: one statement records it and puts a cursor at the
 * current end of every existing workspace's log (its creation point). Later
 * registrations (restarts, other instances) change nothing.
 */
export async function registerConsumer(db: Db, consumer: string): Promise<void> {
  await db.execute(sql`
    with registered as (
      insert into event_subscription_consumers (consumer) values (${consumer})
      on conflict (consumer) do nothing
      returning consumer
    )
    insert into event_subscription_cursors (consumer, scope, last_id)
    select registered.consumer, sequences.scope, sequences.last_id
      from registered
      cross join event_sequences sequences
      join workspaces on workspaces.id = sequences.scope
    on conflict (consumer, scope) do nothing`);
}

/** Workspaces whose log has events past this consumer's cursor (or that have no cursor yet). */
export async function scopesBehind(db: Db, consumer: string): Promise<string[]> {
  const rows = resultRows<{ scope: string }>(
    await db.execute(sql`
      select sequences.scope
        from event_sequences sequences
        join workspaces on workspaces.id = sequences.scope
        left join event_subscription_cursors cursors
          on cursors.consumer = ${consumer} and cursors.scope = sequences.scope
       where cursors.last_id is null or cursors.last_id < sequences.last_id`),
  );
  return rows.map((row) => row.scope);
}

/**
 * A workspace that appeared after the consumer's registration starts at 0: all of its
 * events are newer than the consumer. Nothing is inserted for a deleted workspace.
 */
export async function ensureCursor(db: Db, consumer: string, scope: string): Promise<void> {
  await db.execute(sql`
    insert into event_subscription_cursors (consumer, scope, last_id)
    select ${consumer}, id, 0 from workspaces where id = ${scope}
    on conflict (consumer, scope) do nothing`);
}

/** Whether the row exists at all (a plain read sees it even while another transaction locks it). */
export async function cursorExists(db: Db, consumer: string, scope: string): Promise<boolean> {
  const rows = resultRows<{ found: number }>(
    await db.execute(
      sql`select 1 as found from event_subscription_cursors where consumer = ${consumer} and scope = ${scope}`,
    ),
  );
  return rows.length > 0;
}

/** Moves the cursor to `lastId` and clears any failure state. */
export async function advanceCursor(tx: Db, consumer: string, scope: string, lastId: number): Promise<void> {
  await tx.execute(sql`
    update event_subscription_cursors
       set last_id = ${lastId}, attempts = 0, failing_event_id = null, retry_at = null,
           last_error = null, updated_at = now()
     where consumer = ${consumer} and scope = ${scope}`);
}

export async function recordFailedAttempt(
  tx: Db,
  input: { consumer: string; scope: string; eventId: number; attempts: number; retryAt: Date; error: string },
): Promise<void> {
  await tx.execute(sql`
    update event_subscription_cursors
       set attempts = ${input.attempts}, failing_event_id = ${input.eventId},
           retry_at = ${input.retryAt.toISOString()}::timestamptz, last_error = ${input.error}, updated_at = now()
     where consumer = ${input.consumer} and scope = ${input.scope}`);
}

/**
 * The extension is disabled in this workspace: its events pass the cursor undelivered
 * (one statement, one snapshot: every id up to the max it reads is committed, since
 * ids become visible in commit order). A cursor another instance holds is left alone.
 */
export async function passCursorToEnd(db: Db, consumer: string, scope: string): Promise<void> {
  await db.execute(sql`
    with claimed as (
      select consumer, scope from event_subscription_cursors
       where consumer = ${consumer} and scope = ${scope}
         for update skip locked
    )
    update event_subscription_cursors cursors
       set last_id = greatest(cursors.last_id, coalesce((select max(id) from events where scope = ${scope}), 0)),
           attempts = 0, failing_event_id = null, retry_at = null, last_error = null, updated_at = now()
      from claimed
     where cursors.consumer = claimed.consumer and cursors.scope = claimed.scope`);
}
