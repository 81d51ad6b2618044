/**
 * eventLogRef: reads of a workspace's log and durable subscriptions, built per
 * extension so consumers are namespaced by it (`<extension id>:<name>`). Consumers are
 * collected during setup and handed to the process's SubscriptionEngine in the
 * extension's onReady hook, stopped in its onShutdown hook; an extension that fails to
 * start has its hooks discarded, so its consumers never run.
 */
import type { EventLogReadOptions, SubscribeOptions } from '../contract/event-log.ts';
import { eventLogRef } from '../contract/event-log.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import type { Db } from '../db/database.ts';
import { eventStreamSource } from '../events/event-log.ts';
import type { ConsumerWorker } from '../events/subscriptions/consumer-worker.ts';
import type { Consumer } from '../events/subscriptions/deliver-next.ts';
import { SubscriptionEngine } from '../events/subscriptions/subscription-engine.ts';
import {
  internalDatabaseRef,
  internalEnablementRef,
  internalLoggerRef,
  lifecycleHubRef,
  subscriptionEngineRef,
} from './internal-refs.ts';

const CONSUMER_NAME = /^[a-z][a-z0-9_.-]{0,99}$/;
const MAX_READ_LIMIT = 1000;

export const subscriptionEngineFactory = createServiceFactory({
  service: subscriptionEngineRef,
  scope: 'kernel',
  deps: { database: internalDatabaseRef, logger: internalLoggerRef, enablement: internalEnablementRef },
  factory: ({ database, logger, enablement }) =>
    new SubscriptionEngine({
      database,
      logger: logger.child({ component: 'subscriptions' }),
      isEnabled: (workspaceId, extensionId) => enablement.isEnabled(workspaceId, extensionId),
      isEnabledInTransaction: (tx, workspaceId, extensionId) =>
        enablement.isEnabledInTransaction(tx, workspaceId, extensionId),
    }),
});

async function readEventLog(db: Db, workspaceId: string, options: EventLogReadOptions = {}) {
  const { afterId = 0, types, limit = 100 } = options;
  if (!Number.isSafeInteger(afterId) || afterId < 0) {
    throw new RangeError(`eventLog.read: afterId must be a non-negative integer, got ${afterId}`);
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
    throw new RangeError(`eventLog.read: limit must be an integer from 1 to ${MAX_READ_LIMIT}, got ${limit}`);
  }
  if (types && types.length === 0) return [];
  return eventStreamSource(db).readAfter(workspaceId, afterId, limit, types ? { types } : undefined);
}

export function consumerOf(extensionId: string, options: SubscribeOptions): Consumer {
  const where = `Extension "${extensionId}" subscribed consumer "${options.consumer}"`;
  if (!CONSUMER_NAME.test(options.consumer)) {
    throw new Error(
      `${where}: consumer names match ${CONSUMER_NAME} (they key stored cursors; keep them stable)`,
    );
  }
  if (!Array.isArray(options.types) || options.types.length === 0) {
    throw new Error(`${where} without event types; list the types it handles in \`types\``);
  }
  const maxAttempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`${where} with maxAttempts ${maxAttempts}; it must be a positive integer`);
  }
  return {
    key: `${extensionId}:${options.consumer}`,
    extensionId,
    types: [...new Set(options.types)],
    handler: options.handler,
    maxAttempts,
    backoff: { initialMs: options.backoff?.initialMs ?? 1000, maxMs: options.backoff?.maxMs ?? 300_000 },
  };
}

export const eventLogFactory = createServiceFactory({
  service: eventLogRef,
  scope: 'extension',
  deps: { database: internalDatabaseRef, engine: subscriptionEngineRef, hub: lifecycleHubRef },
  factory: ({ database, engine, hub }, { extension }) => {
    const workers: ConsumerWorker[] = [];
    let started = false;
    hub.add(extension.id, 'ready', async () => {
      started = true;
      await engine.start(workers);
    });
    hub.add(extension.id, 'shutdown', () => engine.stop(workers));
    return {
      read: (workspaceId, options) => readEventLog(database.db, workspaceId, options),
      subscribe: (options) => {
        const consumer = consumerOf(extension.id, options);
        if (started) {
          throw new Error(
            `Extension "${extension.id}" subscribed consumer "${options.consumer}" after the server became ready; subscribe during setup`,
          );
        }
        if (workers.some((worker) => worker.consumer.key === consumer.key)) {
          throw new Error(`Extension "${extension.id}" subscribed consumer "${options.consumer}" twice`);
        }
        workers.push(engine.createWorker(consumer));
      },
    };
  },
});
