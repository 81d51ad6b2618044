/**
 * eventLogRef: read a workspace's event log, and durable subscriptions to it.
 *
 * A subscription is a named consumer with a cursor per workspace stored in
 * PostgreSQL. Its handler runs inside the transaction that advances the cursor, so
 * writes made through `tx` happen exactly once per event, even across server
 * processes and restarts; anything else the handler does (an HTTP call, an email)
 * happens at least once. Events come in batches (one transaction, in id order), and a
 * handler failing in a batch undoes it: the handler can be called again for an event
 * whose writes were undone, so it must not count calls outside `tx`. Consumers are registered during setup and start in
 * `onReady`; events recorded while every instance was down are delivered after the
 * next start. A handler that keeps failing is retried with back-off, then its event is
 * parked (a dead letter that workspace admins see) and the consumer moves on.
 *
 * ```ts
 * deps: { eventLog: eventLogRef },
 * setup({ deps }) {
 *   deps.eventLog.subscribe({
 *     consumer: 'digest',
 *     types: ['object.created'],
 *     handler: async (event, { tx }) => {
 *       await tx.insert(digestItems).values({ workspaceId: event.workspace_id, eventId: event.id });
 *     },
 *   });
 *   return {};
 * }
 * ```
 */
import type { Db } from '../db/database.ts';
import type { EventJson } from '../events/event-log.ts';
import { createServiceRef } from './refs.ts';

export type { EventJson } from '../events/event-log.ts';

export interface EventLogReadOptions {
  /** Only events with a larger id (exclusive); default 0, the start of the log. */
  afterId?: number;
  /** Only these event types. */
  types?: string[];
  /** At most this many events, 1-1000; default 100. */
  limit?: number;
}

export interface SubscriptionDelivery {
  /**
   * The transaction that advances this consumer's cursor: writes made through it
   * commit together with the cursor (exactly once), or are rolled back with a failed
   * attempt. Do every database call of the handler through `tx` (on PGlite, the one
   * connection is held by it: other queries would wait for it). The events of one
   * batch share the same `tx` object (a batch run again after a failure gets a new
   * one), so a handler may key a per-batch memo on it (a WeakMap), for example to read
   * its configuration once per batch instead of once per event.
   */
  tx: Db;
  workspaceId: string;
  /** 1 on first delivery, 2 on the first retry, and so on. */
  attempt: number;
}

export type SubscriptionHandler = (event: EventJson, delivery: SubscriptionDelivery) => Promise<void>;

export interface SubscribeOptions {
  /** Stable name, unique within the extension (`[a-z][a-z0-9_.-]*`); the cursor is stored under it. */
  consumer: string;
  /**
   * Event types to deliver (exact names); others pass the cursor without a call.
   * `['*']` delivers every event of the workspace, for consumers whose types are data
   * (triggers); prefer exact names, since each delivery is a transaction.
   */
  types: string[];
  handler: SubscriptionHandler;
  /** Attempts before the event is parked as a dead letter; default 5. */
  maxAttempts?: number;
  /** Back-off before retry n: initialMs * 2^(n-1), capped at maxMs. Default 1 s and 5 min. */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface ExtensionEventLog {
  /** A workspace's events in id order (the JSON shape of GET /api/events). */
  read(workspaceId: string, options?: EventLogReadOptions): Promise<EventJson[]>;
  /** Registers a durable consumer; call during setup (delivery starts when the server is ready). */
  subscribe(options: SubscribeOptions): void;
}

export const eventLogRef = createServiceRef<ExtensionEventLog>({ id: 'kernel.event-log', owner: 'kernel' });
