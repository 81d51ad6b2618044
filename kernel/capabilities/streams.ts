/**
 * streamsRef: one StreamHub per stream an extension declares, wired to the kernel's
 * stream policy, so an extension stream behaves exactly like GET /api/events/stream.
 *
 * - Quota and guard are the kernel's own instances (the event stream's), so an actor's
 *   open streams count once across every stream kind, and a revoked key, a removed
 *   member or a deleted workspace ends extension streams together with event streams.
 * - Tickets need nothing here: the router accepts `?ticket=` on any route that declares
 *   `access.streamTicket`, and `respond` reads the caller from the context it set.
 * - Lifecycle: the hub is created with the stream (setup) but listens only from
 *   `onReady`, or on the first request if that comes first (a kernel that is never made
 *   ready, as in some tests). `beforeDrain` ends every open stream with a `retry:` hint
 *   and refuses new ones with 503; `onShutdown` stops the hub (its LISTEN and timer)
 *   while the database is still open. The hooks are the declaring extension's, so they
 *   run in its place in the dependency order and are discarded if its setup fails.
 * - The channel is derived from the extension id and the stream name: the kernel owns
 *   every prefix, so two extensions can never wake each other's streams.
 */

import { authOf, workspaceOf } from '../contract/context.ts';
import { validationError } from '../contract/errors.ts';
import { createServiceFactory } from '../contract/service-factory.ts';
import type { ExtensionStream, ExtensionStreams, StreamSource } from '../contract/streams.ts';
import { streamsRef } from '../contract/streams.ts';
import { openSseStream } from '../events/sse-response.ts';
import { assertCounterTable, latestStreamId, nextStreamId } from '../events/stream-counter.ts';
import { StreamHub } from '../events/stream-hub.ts';
import {
  internalConfigRef,
  internalDatabaseRef,
  internalLoggerRef,
  lifecycleHubRef,
  streamGuardRef,
  streamQuotaRef,
} from './internal-refs.ts';

const STREAM_NAME = /^[a-z][a-z0-9_]*$/;
/** PostgreSQL truncates identifiers (and refuses NOTIFY channels) beyond 63 bytes. */
const MAX_CHANNEL_LENGTH = 63;

/** A frame must not be forgeable: the event name loses its line breaks, the data is JSON (no raw newline). */
function frameOf(id: number, event: string, data: unknown): Buffer {
  return Buffer.from(`id: ${id}\nevent: ${event.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(data)}\n\n`);
}

export const streamsFactory = createServiceFactory({
  service: streamsRef,
  scope: 'extension',
  deps: {
    database: internalDatabaseRef,
    config: internalConfigRef,
    logger: internalLoggerRef,
    lifecycle: lifecycleHubRef,
    guard: streamGuardRef,
    quota: streamQuotaRef,
  },
  factory: ({ database, config, logger, lifecycle, guard, quota }, { extension }): ExtensionStreams => {
    const names = new Set<string>();
    return {
      createStream<Row, Filter = never>(source: StreamSource<Row, Filter>): ExtensionStream<Filter> {
        const where = `extension "${extension.id}", stream "${source.name}"`;
        if (!STREAM_NAME.test(source.name)) {
          throw new Error(`${where}: a stream name is lowercase letters, digits and _`);
        }
        if (names.has(source.name)) throw new Error(`${where}: declared twice; stream names are unique`);
        assertCounterTable(source.counterTable);
        const channel = `maskin_stream_${extension.id.replace(/-/g, '_')}_${source.name}`;
        if (channel.length > MAX_CHANNEL_LENGTH) {
          throw new Error(`${where}: channel ${channel} is longer than 63 characters; shorten the name`);
        }
        names.add(source.name);
        const { matches } = source;
        const hub = new StreamHub<Row, Filter>(
          database,
          {
            channel,
            latestId: (scope) => latestStreamId(database.db, source.counterTable, scope),
            readAfter: (scope, afterId, limit, filter) => source.readAfter(scope, afterId, limit, filter),
            idOf: (row) => source.idOf(row),
            // respond() refuses a filter when there is no matches(), so this never runs without one.
            matches: (row, filter) => matches?.(row, filter) ?? true,
            frameOf: (row) => frameOf(source.idOf(row), source.eventOf(row), source.dataOf(row)),
          },
          {
            heartbeatMs: config.sseHeartbeatMs,
            maxBufferedBytes: config.sseMaxBufferedBytes,
            logger: logger.child({ extension: extension.id, stream: source.name }),
          },
        );
        guard.guard(hub);
        let started: Promise<void> | undefined;
        const start = () => {
          started ??= hub.start().catch((error) => {
            started = undefined;
            throw error;
          });
          return started;
        };
        lifecycle.add(extension.id, 'ready', start);
        lifecycle.add(extension.id, 'drain', () => hub.shutdown());
        lifecycle.add(extension.id, 'shutdown', () => hub.stop());

        return {
          channel,
          nextId: (tx, scope) => nextStreamId(tx, source.counterTable, channel, scope),
          respond: async (c, options) => {
            if (options.filter !== undefined && !matches) {
              throw new Error(`${where}: opened with a filter, but the source declares no matches()`);
            }
            const afterId = resumeIdOf(c.req.header('last-event-id'), c.req.query('last_event_id'));
            // A draining hub answers 503 in openSseStream; do not start one that is shutting down.
            if (hub.accepting) await start();
            const auth = authOf(c);
            const workspace = workspaceOf(c);
            return openSseStream(c, {
              hub,
              quota,
              owner: {
                apiKeyId: auth.apiKeyId,
                actorId: auth.actor.id,
                workspaceId: workspace.id,
                personId: auth.personId,
              },
              scope: options.scope,
              afterId,
              filter: options.filter,
              maxBufferedBytes: config.sseMaxBufferedBytes,
            });
          },
        };
      },
    };
  },
});

/** The header wins over the query, as on the event stream (EventSource resends the newer header). */
function resumeIdOf(header: string | undefined, query: string | undefined): number | undefined {
  const raw = header !== undefined && header !== '' ? header : query;
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) {
    throw validationError('Last-Event-ID must be a stream id', [
      { path: 'last_event_id', message: 'must be a non-negative integer' },
    ]);
  }
  return Number(raw);
}
