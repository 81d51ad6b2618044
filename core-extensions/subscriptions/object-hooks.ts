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
import { type Db, type ExtensionEvents, orm } from '@maskin/contract';
import type { ObjectHooks, WriteScope, WrittenObject } from '../objects/api.ts';
import type { Reason } from './service.ts';
import { subscriptionsTable as s } from './tables.ts';

const { sql } = orm;

interface Wanted {
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

export function subscriptionObjectHooks(
  events: ExtensionEvents<'subscription.created'>,
  isEnabledInTransaction: (tx: Db, workspaceId: string) => Promise<boolean>,
): ObjectHooks {
  return {
    async afterWrite(tx, scope, written) {
      const wanted = subscribersOfWrite(scope, written);
      if (wanted.length === 0 || !(await isEnabledInTransaction(tx, scope.workspaceId))) return undefined;
      // Existing subscriptions stay as they are (and record nothing).
      const inserted = await tx
        .insert(s)
        .values(
          wanted.map((w) => ({
            workspaceId: scope.workspaceId,
            actorId: w.actorId,
            kind: 'object',
            target: w.target,
            reason: w.reason,
            createdAt: sql`date_trunc('milliseconds', now())`,
          })),
        )
        .onConflictDoNothing()
        .returning();
      // Recorded by objects after its own events, in the same statement.
      return events.prepare(
        inserted.map((row) => ({
          workspaceId: scope.workspaceId,
          actorId: scope.actorId,
          type: 'subscription.created' as const,
          entityType: 'subscription',
          entityId: row.id,
          data: { subscriber_id: row.actorId, kind: row.kind, target: row.target, reason: row.reason },
        })),
      );
    },
  };
}
