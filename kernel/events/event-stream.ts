/** The process's hub for the workspace event stream (one LISTEN on `maskin_events`). */
import type { Logger } from 'pino';
import type { KernelConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { type EventFilter, type EventJson, eventStreamSource } from './event-log.ts';
import { StreamHub } from './stream-hub.ts';

export type EventStreamHub = StreamHub<EventJson, EventFilter>;

export async function startEventStream(
  database: Database,
  config: KernelConfig,
  logger: Logger,
): Promise<EventStreamHub> {
  const hub = new StreamHub(database, eventStreamSource(database.db), {
    heartbeatMs: config.sseHeartbeatMs,
    maxBufferedBytes: config.sseMaxBufferedBytes,
    logger,
  });
  await hub.start();
  return hub;
}
