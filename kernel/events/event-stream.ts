/** The process's hub for the workspace event stream (one LISTEN on `maskin_events`). */
import type { Logger } from 'pino';
import type { KernelConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { type EventFilter, type EventJson, eventStreamSource } from './event-log.ts';
import { StreamHub } from './stream-hub.ts';

export type EventStreamHub = StreamHub<EventJson, EventFilter>;

/** Events after which some open streams of the workspace may no longer be allowed. */
const ACCESS_CHANGES = new Set(['member.removed']);

export async function startEventStream(
  database: Database,
  config: KernelConfig,
  logger: Logger,
  onAccessChange: () => void,
): Promise<EventStreamHub> {
  const hub = new StreamHub(database, eventStreamSource(database.db), {
    heartbeatMs: config.sseHeartbeatMs,
    maxBufferedBytes: config.sseMaxBufferedBytes,
    logger,
    // Every instance streaming this workspace sees the event within milliseconds, so
    // a removed member's streams end everywhere without waiting for the next check.
    onRow: (event) => {
      if (ACCESS_CHANGES.has(event.type)) onAccessChange();
    },
  });
  await hub.start();
  return hub;
}
