/**
 * The SQL the object routes issue, for the driver baselines of the load module: the
 * same text, built by the same code (drizzle's builders on the objects table, the
 * objects', subscriptions' and event log's own statement functions), so a baseline
 * follows any change to a route's statements without editing this file.
 *
 * The by-id select is built once with sentinel values; `bind` then fills the positions
 * that held a sentinel with a call's values. The create statements are drizzle `sql`
 * templates of a few parameters each (rows travel as one JSON value), cheap to build
 * per call, so they are built per call by the very functions the route calls.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import { insertObjectsSql } from '../../core-extensions/objects/queries.ts';
import { objectsTable as o } from '../../core-extensions/objects/table.ts';
import { subscribeSql } from '../../core-extensions/subscriptions/object-hooks.ts';
import { recordEventsSql } from '../../kernel/events/record-event.ts';

export interface Statement {
  text: string;
  bind(values: Record<string, unknown>): unknown[];
}

const SENTINEL = '\u0000sentinel:';
const sentinel = (key: string) => `${SENTINEL}${key}`;

function statementOf(query: { sql: string; params: unknown[] }): Statement {
  const slots = query.params.map((param) =>
    typeof param === 'string' && param.startsWith(SENTINEL) ? param.slice(SENTINEL.length) : undefined,
  );
  return {
    text: query.sql,
    bind: (values) => slots.map((key, i) => (key === undefined ? query.params[i] : values[key])),
  };
}

const builder = drizzle.mock();

/** `GET /api/objects/:id`: the object by primary key within its workspace (queries.ts getObject). */
export const selectById = statementOf(
  builder
    .select()
    .from(o)
    .where(and(eq(o.workspaceId, sentinel('workspace')), eq(o.id, sentinel('id'))))
    .toSQL(),
);

type Query = (text: string, params: unknown[]) => Promise<unknown>;

const dialect = new PgDialect();

/**
 * What `POST /api/objects` sends inside its transaction for `titles`, built by the same
 * functions: the objects' insert (objects/queries.ts), the creator's subscriptions
 * (subscriptions/object-hooks.ts) and one statement for all their events
 * (record-event.ts). Returns the new objects' ids.
 */
export async function createAsTheRouteDoes(
  query: Query,
  scope: { workspaceId: string; actorId: string },
  titles: string[],
): Promise<string[]> {
  const rows = titles.map((title) => ({
    id: randomUUID(),
    type: 'task',
    title,
    content: '',
    status: 'todo',
    metadata: {},
    driver_id: null,
  }));
  const insert = dialect.sqlToQuery(insertObjectsSql(scope, rows));
  await query(insert.sql, insert.params);
  const subscribe = dialect.sqlToQuery(
    subscribeSql(
      scope.workspaceId,
      rows.map((row) => ({ actorId: scope.actorId, target: row.id, reason: 'creator' as const })),
    ),
  );
  const subscribed = (await query(subscribe.sql, subscribe.params)) as { id: string; target: string }[];
  const event = (type: string, entityType: string, entityId: string, data: Record<string, unknown>) => ({
    workspaceId: scope.workspaceId,
    actorId: scope.actorId,
    type,
    entityType,
    entityId,
    data,
  });
  const events = dialect.sqlToQuery(
    recordEventsSql([
      ...rows.map((row) =>
        event('object.created', 'object', row.id, {
          type: row.type,
          title: row.title,
          status: row.status,
          driver_id: null,
        }),
      ),
      ...subscribed.map((row) =>
        event('subscription.created', 'subscription', row.id, {
          subscriber_id: scope.actorId,
          kind: 'object',
          target: row.target,
          reason: 'creator',
        }),
      ),
    ]),
  );
  await query(events.sql, events.params);
  return rows.map((row) => row.id);
}
