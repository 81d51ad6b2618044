/**
 * The read side of the event log: one JSON shape for the list route and the stream,
 * the filtered keyset query behind `GET /api/events`, and the StreamSource that lets
 * the stream hub replay and follow a workspace's events. Every query is scoped by the
 * workspace id (the events' sequence scope), so no filter can reach another workspace.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, type SQL } from 'drizzle-orm';
import { validationError } from '../contract/errors.ts';
import { decodeCursor, toPage } from '../contract/pagination.ts';
import type { Db } from '../db/database.ts';
import { events } from '../db/schema.ts';
import { EVENTS_CHANNEL } from './record-event.ts';
import type { StreamSource } from './stream-hub.ts';

type EventRow = typeof events.$inferSelect;

export interface EventJson {
  id: number;
  workspace_id: string | null;
  type: string;
  actor_id: string | null;
  entity_type: string;
  entity_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

/** Filters shared by the list route and the stream. */
export interface EventFilter {
  types?: string[];
  entityType?: string;
  entityId?: string;
}

export interface EventListQuery extends EventFilter {
  actorId?: string;
  /** Exclusive id bounds. */
  afterId?: number;
  beforeId?: number;
  /** `since` inclusive, `until` exclusive. */
  since?: Date;
  until?: Date;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string;
}

export function eventJson(row: EventRow): EventJson {
  return {
    id: row.id,
    workspace_id: row.workspaceId,
    type: row.type,
    actor_id: row.actorId,
    entity_type: row.entityType,
    entity_id: row.entityId,
    data: row.data,
    created_at: row.createdAt.toISOString(),
  };
}

/** One SSE message. Event types never contain line breaks, but a frame must not be forgeable by one. */
export function eventFrame(event: EventJson): Buffer {
  const type = event.type.replace(/[\r\n]/g, ' ');
  return Buffer.from(`id: ${event.id}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`);
}

export function matchesFilter(event: EventJson, filter: EventFilter): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.entityType !== undefined && event.entity_type !== filter.entityType) return false;
  if (filter.entityId !== undefined && event.entity_id !== filter.entityId) return false;
  return true;
}

function filterConditions(filter: EventFilter | undefined): SQL[] {
  const conditions: SQL[] = [];
  if (filter?.types) conditions.push(inArray(events.type, filter.types));
  if (filter?.entityType !== undefined) conditions.push(eq(events.entityType, filter.entityType));
  if (filter?.entityId !== undefined) conditions.push(eq(events.entityId, filter.entityId));
  return conditions;
}

export async function listEvents(db: Db, workspaceId: string, query: EventListQuery) {
  const conditions = [eq(events.scope, workspaceId), ...filterConditions(query)];
  if (query.actorId !== undefined) conditions.push(eq(events.actorId, query.actorId));
  if (query.afterId !== undefined) conditions.push(gt(events.id, query.afterId));
  if (query.beforeId !== undefined) conditions.push(lt(events.id, query.beforeId));
  if (query.since) conditions.push(gte(events.createdAt, query.since));
  if (query.until) conditions.push(lt(events.createdAt, query.until));
  if (query.cursor) {
    const [lastId] = decodeCursor(query.cursor, 1);
    if (typeof lastId !== 'number' || !Number.isSafeInteger(lastId)) {
      throw validationError('Invalid cursor: pass next_cursor from the previous page unchanged', [
        { path: 'cursor', message: 'malformed' },
      ]);
    }
    conditions.push(query.order === 'asc' ? gt(events.id, lastId) : lt(events.id, lastId));
  }
  const rows = await db
    .select()
    .from(events)
    .where(and(...conditions))
    .orderBy(query.order === 'asc' ? asc(events.id) : desc(events.id))
    .limit(query.limit + 1);
  return toPage(rows, query.limit, eventJson, (row) => [row.id]);
}

/** The workspace event log as a stream source: scope = workspace id. */
export function eventStreamSource(db: Db): StreamSource<EventJson, EventFilter> {
  return {
    channel: EVENTS_CHANNEL,
    latestId: async (scope) => {
      const [row] = await db
        .select({ id: events.id })
        .from(events)
        .where(eq(events.scope, scope))
        .orderBy(desc(events.id))
        .limit(1);
      return row?.id ?? 0;
    },
    readAfter: async (scope, afterId, limit, filter) => {
      const rows = await db
        .select()
        .from(events)
        .where(and(eq(events.scope, scope), gt(events.id, afterId), ...filterConditions(filter)))
        .orderBy(asc(events.id))
        .limit(limit);
      return rows.map(eventJson);
    },
    idOf: (event) => event.id,
    matches: matchesFilter,
    frameOf: eventFrame,
  };
}
