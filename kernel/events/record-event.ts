/**
 * Writes one event inside the caller's transaction.
 *
 * Ordering: event ids come from a per-workspace counter row (`event_sequences`) that
 * the statement below increments. The row stays locked until the writing transaction
 * commits, so a second writer in the same workspace waits, then takes the next id:
 * ids become visible in exactly commit order. A reader that has seen id N can resume
 * from N and never miss an N-1 that committed late, which a plain bigserial cannot
 * promise (ids are taken at insert time but become visible at commit time). The cost
 * is that writers of one workspace serialise from their event insert to their commit;
 * mutations therefore record their event as their last statement.
 *
 * The NOTIFY carries only `<scope>:<id>` (NOTIFY payloads cap at 8 KB and the data may
 * be larger); listeners read the rows themselves. Postgres delivers it on commit and
 * drops it on rollback, so there is no event without its mutation and vice versa.
 */
import { type SQL, sql } from 'drizzle-orm';
import { type Db, resultRows } from '../db/database.ts';

export const EVENTS_CHANNEL = 'maskin_events';
/** Sequence scope of account-level events that belong to no workspace. */
export const ACCOUNT_SCOPE = '00000000-0000-0000-0000-000000000000';

export interface EventInput {
  workspaceId: string | null;
  actorId: string | null;
  /** `<entity>.<action>`, e.g. `object.created`. */
  type: string;
  entityType: string;
  entityId?: string | null;
  data?: Record<string, unknown>;
}

export interface RecordedEvent {
  id: number;
  createdAt: Date;
}

/**
 * Several events of one workspace in one statement: the counter row moves by their
 * number once, and they take consecutive ids in the given order (bulk writes record
 * hundreds at a time; one round trip each kept the counter row locked for all of them).
 * One NOTIFY names the last id: listeners read every row after what they have seen.
 */
/** The statement recordEvents sends for a non-empty batch (the load bench sends it too). */
export function recordEventsSql(inputs: EventInput[]): SQL {
  const workspaceId = inputs[0]!.workspaceId;
  if (inputs.some((input) => input.workspaceId !== workspaceId)) {
    throw new Error('recordEvents takes events of one workspace; record each workspace separately');
  }
  const scope = workspaceId ?? ACCOUNT_SCOPE;
  const rows = JSON.stringify(
    inputs.map((input, index) => ({
      ord: index + 1,
      type: input.type,
      actor_id: input.actorId,
      entity_type: input.entityType,
      entity_id: input.entityId ?? null,
      data: input.data ?? {},
    })),
  );
  return sql`
    with next_id as (
      insert into event_sequences (scope, last_id) values (${scope}, ${inputs.length})
      on conflict (scope) do update set last_id = event_sequences.last_id + ${inputs.length}
      returning last_id
    ), inserted as (
      insert into events (scope, id, workspace_id, type, actor_id, entity_type, entity_id, data)
      select ${scope}, next_id.last_id - ${inputs.length} + r.ord, ${workspaceId}, r.type, r.actor_id,
             r.entity_type, r.entity_id, r.data
        from next_id,
             jsonb_to_recordset(${rows}::jsonb)
               as r(ord int, type text, actor_id uuid, entity_type text, entity_id text, data jsonb)
      returning id, created_at
    )
    select id, created_at, case when id = (select max(id) from inserted)
                                then pg_notify(${EVENTS_CHANNEL}, ${scope} || ':' || id) end
      from inserted order by id`;
}

export async function recordEvents(tx: Db, inputs: EventInput[]): Promise<RecordedEvent[]> {
  if (inputs.length === 0) return [];
  const result = await tx.execute(recordEventsSql(inputs));
  return resultRows<{ id: string | number; created_at: string | Date }>(result).map((row) => ({
    id: Number(row.id),
    createdAt: new Date(row.created_at),
  }));
}

export async function recordEvent(tx: Db, input: EventInput): Promise<RecordedEvent> {
  const scope = input.workspaceId ?? ACCOUNT_SCOPE;
  const result = await tx.execute(sql`
    with next_id as (
      insert into event_sequences (scope, last_id) values (${scope}, 1)
      on conflict (scope) do update set last_id = event_sequences.last_id + 1
      returning last_id
    ), inserted as (
      insert into events (scope, id, workspace_id, type, actor_id, entity_type, entity_id, data)
      select ${scope}, last_id, ${input.workspaceId}, ${input.type}, ${input.actorId}, ${input.entityType},
             ${input.entityId ?? null}, ${JSON.stringify(input.data ?? {})}::jsonb
        from next_id
      returning id, created_at
    )
    select id, created_at, pg_notify(${EVENTS_CHANNEL}, ${scope} || ':' || id) from inserted`);
  const [row] = resultRows<{ id: string | number; created_at: string | Date }>(result);
  return { id: Number(row!.id), createdAt: new Date(row!.created_at) };
}
