/**
 * The SQL the object routes issue, for the driver baselines of the load module: the
 * same text, built by the same code (drizzle's builders on the objects table, the
 * search module's `searchStatement`, and `recordEvent` itself), so a baseline follows
 * any change to a route's statements without editing this file.
 *
 * Each statement is built once with sentinel values; `bind` then fills the positions
 * that held a sentinel with a call's values and keeps every other parameter (type
 * names, limits, the NOTIFY channel) as built. Building per call would put drizzle's
 * cost into the baseline, which is meant to be the database and driver alone.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, sql as rawSql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import { objectsTable as o } from '../../core-extensions/objects/table.ts';
import type { Db } from '../../kernel/db/database.ts';
import { type EventInput, recordEvent } from '../../kernel/events/record-event.ts';

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

/** The rows service.ts prepareCreate inserts, `count` at a time, in one statement. */
export function insertObjects(count: number): Statement {
  const rows = Array.from({ length: count }, (_, i) => ({
    id: sentinel(`id${i}`),
    workspaceId: sentinel('workspace'),
    type: 'task',
    title: sentinel(`title${i}`),
    content: '',
    status: 'todo',
    metadata: {},
    driverId: null,
    createdBy: sentinel('actor'),
    createdAt: rawSql`date_trunc('milliseconds', now())`,
    updatedAt: rawSql`date_trunc('milliseconds', now())`,
    version: 1,
  }));
  return statementOf(builder.insert(o).values(rows).returning().toSQL());
}

/** Values for insertObjects: fresh ids, one title per row. */
export function objectValues(workspaceId: string, actorId: string, titles: string[]) {
  const values: Record<string, unknown> = { workspace: workspaceId, actor: actorId };
  const ids = titles.map((title, i) => {
    const id = randomUUID();
    values[`id${i}`] = id;
    values[`title${i}`] = title;
    return id;
  });
  return { values, ids };
}

/** The statement recordEvent sends, captured from recordEvent itself through a stand-in transaction. */
export const recordEventStatement: Statement = (() => {
  let captured: SQL | undefined;
  const standIn = {
    execute: async (query: SQL) => {
      captured = query;
      return [{ id: 1, created_at: new Date() }];
    },
  } as unknown as Db;
  const input: EventInput = {
    workspaceId: sentinel('workspace'),
    actorId: sentinel('actor'),
    type: 'object.created',
    entityType: 'object',
    entityId: sentinel('entity'),
    data: { sentinel: true },
  };
  void recordEvent(standIn, input);
  if (!captured)
    throw new Error('recordEvent no longer issues one tx.execute; update bench/load/statements.ts');
  const query = new PgDialect().sqlToQuery(captured);
  const data = JSON.stringify(input.data);
  return statementOf({ ...query, params: query.params.map((p) => (p === data ? sentinel('data') : p)) });
})();

/**
 * Set-based events for a bulk create: the counter advanced once by `n`, `n` event rows
 * and their NOTIFYs in one statement. This is the target issue 17 names ("bulk writes
 * set-based"), not necessarily what the route sends today.
 */
export const recordEventsInBulk = `
  with next_id as (
    insert into event_sequences (scope, last_id) values ($1, $2)
    on conflict (scope) do update set last_id = event_sequences.last_id + $2
    returning last_id
  ), inserted as (
    insert into events (scope, id, workspace_id, type, actor_id, entity_type, entity_id, data)
    select $1, next_id.last_id - $2 + e.ord, $1, 'object.created', $3, 'object', e.item->>'id', e.item->'data'
      from next_id, jsonb_array_elements($4::jsonb) with ordinality as e(item, ord)
    returning id
  )
  select pg_notify('maskin_events', $1 || ':' || id) from inserted`;
