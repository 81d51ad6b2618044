/**
 * Dead letters: events a consumer's handler failed on `maxAttempts` times. Parking one
 * writes the row and a `subscription.event_parked` event in the delivery transaction
 * (which also moves the cursor past it), so the consumer continues with the next event
 * and workspace admins can see what was skipped. The error text stays in the row (admin
 * only); the event, which every member can read, carries no error text.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import { bigint, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { validationError } from '../../contract/errors.ts';
import { decodeCursor, toPage } from '../../contract/pagination.ts';
import type { Db } from '../../db/database.ts';
import { recordEvent } from '../record-event.ts';

export const eventDeadLetters = pgTable('event_dead_letters', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  workspaceId: uuid('workspace_id').notNull(),
  extensionId: text('extension_id').notNull(),
  consumer: text('consumer').notNull(),
  eventId: bigint('event_id', { mode: 'number' }).notNull(),
  eventType: text('event_type').notNull(),
  attempts: integer('attempts').notNull(),
  lastError: text('last_error').notNull(),
  parkedAt: timestamp('parked_at', { withTimezone: true }).notNull().defaultNow(),
});

type DeadLetterRow = typeof eventDeadLetters.$inferSelect;

export const PARKED_EVENT_TYPE = 'subscription.event_parked';
const MAX_ERROR_LENGTH = 2000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

export async function parkEvent(
  tx: Db,
  input: {
    workspaceId: string;
    extensionId: string;
    /** Qualified consumer name, `<extension id>:<name>`. */
    consumer: string;
    event: { id: number; type: string };
    attempts: number;
    error: string;
  },
): Promise<void> {
  const [row] = await tx
    .insert(eventDeadLetters)
    .values({
      workspaceId: input.workspaceId,
      extensionId: input.extensionId,
      consumer: input.consumer,
      eventId: input.event.id,
      eventType: input.event.type,
      attempts: input.attempts,
      lastError: input.error,
    })
    .returning({ id: eventDeadLetters.id });
  await recordEvent(tx, {
    workspaceId: input.workspaceId,
    actorId: null,
    type: PARKED_EVENT_TYPE,
    entityType: 'dead_letter',
    entityId: String(row!.id),
    data: {
      extension_id: input.extensionId,
      consumer: input.consumer,
      event_id: input.event.id,
      event_type: input.event.type,
      attempts: input.attempts,
    },
  });
}

export function deadLetterJson(row: DeadLetterRow) {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    extension_id: row.extensionId,
    consumer: row.consumer,
    event_id: row.eventId,
    event_type: row.eventType,
    attempts: row.attempts,
    last_error: row.lastError,
    parked_at: row.parkedAt.toISOString(),
  };
}

/** Newest first, keyset-paginated by id. */
export async function listDeadLetters(
  db: Db,
  workspaceId: string,
  limit: number,
  cursor: string | undefined,
) {
  const conditions = [eq(eventDeadLetters.workspaceId, workspaceId)];
  if (cursor) {
    const [lastId] = decodeCursor(cursor, 1);
    if (typeof lastId !== 'number' || !Number.isSafeInteger(lastId)) {
      throw validationError('Invalid cursor: pass next_cursor from the previous page unchanged', [
        { path: 'cursor', message: 'malformed' },
      ]);
    }
    conditions.push(lt(eventDeadLetters.id, lastId));
  }
  const rows = await db
    .select()
    .from(eventDeadLetters)
    .where(and(...conditions))
    .orderBy(desc(eventDeadLetters.id))
    .limit(limit + 1);
  return toPage(rows, limit, deadLetterJson, (row) => [row.id]);
}
