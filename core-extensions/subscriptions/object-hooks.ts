/**
 * Creators and drivers are subscribed to their objects inside the write that makes
 * them so (objects' `afterWrite` hook): a bulk create of 500 objects is one insert, and
 * its events go into the statement that records the objects' own (`events.prepare`). Reading the event log back to do
 * it (the fan-out, object by object) cost five statements per created object, and on
 * the embedded database, whose one connection every request shares, it held writers
 * up for seconds under load.
 *
 * Registered in the register phase, before any setup, so it uses only what exists
 * then: the table, the events recorder and enablement read in the writing transaction.
 */
import { type Db, type ExtensionEvents, orm, resultRows } from '@maskin/contract';
import type { ObjectHooks, WriteScope, WrittenObject } from '../objects/api.ts';
import type { Reason } from './service.ts';

const { sql } = orm;

export interface Wanted {
  actorId: string;
  target: string;
  reason: Reason;
}

/** Who a write subscribes: the creator of a new object, and its driver when set or changed. */
export function subscribersOfWrite(scope: WriteScope, written: WrittenObject[]): Wanted[] {
  const wanted = new Map<string, Wanted>();
  const add = (actorId: string, target: string, reason: Reason) => {
    const key = `${actorId}:${target}`;
    if (!wanted.has(key)) wanted.set(key, { actorId, target, reason });
  };
  for (const { object, created, changed } of written) {
    if (created) add(scope.actorId, object.id, 'creator');
    if (object.driver_id && (created || changed.includes('driver_id')))
      add(object.driver_id, object.id, 'driver');
  }
  return [...wanted.values()];
}

/**
 * The subscriptions of one write as one statement whose text never changes (rows as a
 * JSON parameter); existing ones stay as they are and are not returned. Drizzle's
 * builder made a fresh insert text per write, a noticeable part of a create's CPU.
 */
export function subscribeSql(workspaceId: string, wanted: Wanted[]) {
  return sql`insert into subscriptions (workspace_id, actor_id, kind, target, reason, created_at)
select ${workspaceId}::uuid, x."actorId", 'object', x.target, x.reason, date_trunc('milliseconds', now())
  from jsonb_to_recordset(${JSON.stringify(wanted)}::jsonb) as x("actorId" uuid, target text, reason text)
on conflict do nothing
returning id, actor_id, kind, target, reason`;
}

export function subscriptionObjectHooks(
  events: ExtensionEvents<'subscription.created'>,
  isEnabledInTransaction: (tx: Db, workspaceId: string) => Promise<boolean>,
): ObjectHooks {
  return {
    async afterWrite(tx, scope, written) {
      const wanted = subscribersOfWrite(scope, written);
      if (wanted.length === 0 || !(await isEnabledInTransaction(tx, scope.workspaceId))) return undefined;
      // Existing subscriptions stay as they are (and record nothing).
      const inserted = resultRows<{
        id: string;
        actor_id: string;
        kind: string;
        target: string;
        reason: string;
      }>(await tx.execute(subscribeSql(scope.workspaceId, wanted)));
      // Recorded by objects after its own events, in the same statement.
      return events.prepare(
        inserted.map((row) => ({
          workspaceId: scope.workspaceId,
          actorId: scope.actorId,
          type: 'subscription.created' as const,
          entityType: 'subscription',
          entityId: row.id,
          data: { subscriber_id: row.actor_id, kind: row.kind, target: row.target, reason: row.reason },
        })),
      );
    },
  };
}
