/**
 * Subscriptions, the domain logic: subscribe, unsubscribe, list, and the subscribers
 * an event concerns. Subscribing is idempotent (one row per actor and target; the
 * insert does nothing on conflict and records nothing then).
 */
import {
  afterTimeId,
  type Db,
  decodeTimeIdCursor,
  type ExtensionEvents,
  notFound,
  orm,
  perTransaction,
  toPage,
  validationError,
} from '@maskin/contract';
import type { ObjectsService } from '../objects/api.ts';
import { type SubscriptionRow, subscriptionsTable as s, toSubscriptionJson } from './tables.ts';

const { and, desc, eq, inArray, sql } = orm;

export type Kind = 'object' | 'object_type' | 'event_type';
export type Reason = 'manual' | 'creator' | 'driver';
export const EVENT_TYPE_TARGET = /^(\*|[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)$/;

export interface Scope {
  workspaceId: string;
  actorId: string;
}

type Events = ExtensionEvents<'subscription.created' | 'subscription.deleted'>;

export class SubscriptionsService {
  constructor(
    private readonly events: Events,
    private readonly objects: ObjectsService,
  ) {}

  /** Checks the target, then subscribes; `created` is false when it already existed. */
  async subscribe(tx: Db, scope: Scope, kind: Kind, target: string) {
    if (kind === 'object') await this.objects.get(tx, scope.workspaceId, target); // 404 when not here
    if (kind === 'object_type') {
      const settings = await this.objects.settings(scope.workspaceId);
      if (!(target in settings.types)) {
        throw validationError(`Object type ${target} is not one of this workspace's types`, [
          { path: 'object_type', message: `must be one of ${Object.keys(settings.types).join(', ')}` },
        ]);
      }
    }
    if (kind === 'event_type' && !EVENT_TYPE_TARGET.test(target)) {
      throw validationError('An event type looks like entity.action (or * for every event)', [
        { path: 'event_type', message: 'must look like entity.action, or *' },
      ]);
    }
    return this.ensure(tx, scope.workspaceId, scope.actorId, kind, target, 'manual', scope.actorId);
  }

  /** Inserts the subscription unless it exists; records `subscription.created` when it is new. */
  async ensure(
    tx: Db,
    workspaceId: string,
    actorId: string,
    kind: Kind,
    target: string,
    reason: Reason,
    causedBy: string | null,
  ): Promise<{ subscription: ReturnType<typeof toSubscriptionJson>; created: boolean }> {
    const [inserted] = await tx
      .insert(s)
      .values({
        workspaceId,
        actorId,
        kind,
        target,
        reason,
        createdAt: sql`date_trunc('milliseconds', now())`,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) {
      await this.events.record(tx, {
        workspaceId,
        actorId: causedBy,
        type: 'subscription.created',
        entityType: 'subscription',
        entityId: inserted.id,
        data: { subscriber_id: actorId, kind, target, reason },
      });
      return { subscription: toSubscriptionJson(inserted), created: true };
    }
    const [existing] = await tx
      .select()
      .from(s)
      .where(
        and(eq(s.workspaceId, workspaceId), eq(s.actorId, actorId), eq(s.kind, kind), eq(s.target, target)),
      );
    return { subscription: toSubscriptionJson(existing!), created: false };
  }

  async unsubscribe(tx: Db, scope: Scope, id: string) {
    const [row] = await tx
      .delete(s)
      .where(and(eq(s.workspaceId, scope.workspaceId), eq(s.id, id), eq(s.actorId, scope.actorId)))
      .returning();
    if (!row) throw notFound(`Subscription ${id} not found among yours`);
    await this.events.record(tx, {
      workspaceId: scope.workspaceId,
      actorId: scope.actorId,
      type: 'subscription.deleted',
      entityType: 'subscription',
      entityId: id,
      data: { subscriber_id: row.actorId, kind: row.kind, target: row.target },
    });
  }

  async list(
    db: Db,
    scope: Scope,
    filters: { kind?: Kind; target?: string; limit: number; cursor?: string },
  ) {
    const conditions = [eq(s.workspaceId, scope.workspaceId), eq(s.actorId, scope.actorId)];
    if (filters.kind) conditions.push(eq(s.kind, filters.kind));
    if (filters.target) conditions.push(eq(s.target, filters.target));
    if (filters.cursor) {
      const { at, id } = decodeTimeIdCursor(filters.cursor);
      conditions.push(afterTimeId('desc', { time: s.createdAt, id: s.id }, { at, id }));
    }
    const rows = await db
      .select()
      .from(s)
      .where(and(...conditions))
      .orderBy(desc(s.createdAt), desc(s.id))
      .limit(filters.limit + 1);
    return toPage(rows, filters.limit, toSubscriptionJson, (row: SubscriptionRow) => [
      row.createdAt.toISOString(),
      row.id,
    ]);
  }

  /**
   * Distinct subscribers of an event (its object, the object's type, its event type),
   * minus `except`. The type and event-type subscriptions of the workspace are read once
   * per delivery batch (the events of one batch share `tx`); the object's own, per event,
   * unless the caller knows them (`objectSubscribers`, for a creation: see fanout.ts).
   */
  async subscribersOf(
    tx: Db,
    workspaceId: string,
    match: {
      objectId: string | null;
      objectType: string | null;
      eventType: string;
      objectSubscribers?: string[];
    },
    except: string | null,
  ): Promise<string[]> {
    const found = new Set<string>();
    for (const row of await typeSubscriptionsOf(tx, workspaceId)) {
      const matches =
        row.kind === 'event_type'
          ? row.target === match.eventType || row.target === '*'
          : row.target === match.objectType;
      if (matches) found.add(row.actorId);
    }
    if (match.objectSubscribers) for (const actorId of match.objectSubscribers) found.add(actorId);
    else if (match.objectId) {
      const rows = await tx
        .select({ actorId: s.actorId })
        .from(s)
        .where(and(eq(s.workspaceId, workspaceId), eq(s.kind, 'object'), eq(s.target, match.objectId)));
      for (const row of rows) found.add(row.actorId);
    }
    if (except) found.delete(except);
    return [...found].sort();
  }
}

/** The workspace's object-type and event-type subscriptions (few), once per batch. */
const typeSubscriptionsOf = perTransaction((tx, workspaceId) =>
  tx
    .select({ actorId: s.actorId, kind: s.kind, target: s.target })
    .from(s)
    .where(and(eq(s.workspaceId, workspaceId), inArray(s.kind, ['event_type', 'object_type'])))
    .execute(),
);
