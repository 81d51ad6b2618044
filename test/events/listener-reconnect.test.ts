/**
 * PostgreSQL only: events that commit while the LISTEN connection is down are
 * delivered, exactly once and in order, when it comes back (the hub's onConnect
 * catch-up).
 *
 * The outage is produced, not hoped for: the database is opened with a
 * `beforeListenerConnect` hook that the test holds. The LISTEN backend is killed with
 * pg_terminate_backend; postgres.js tries to reconnect at once, and that reconnect
 * waits on the hook while the test commits its events and checks that nobody is
 * listening. Only then is the listener let back in. (Before, the test raced the
 * driver's immediate reconnect and, under load, lost: no outage, nothing proved.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../kernel/db/database.ts';
import { openPostgres } from '../../kernel/db/database.ts';
import { recordEvent } from '../../kernel/events/record-event.ts';
import { createKernel, createLogger, type Kernel } from '../../kernel/kernel.ts';
import { collectUntil, connectSse, type ServedKernel, serveKernel, waitFor } from '../helpers/sse-client.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';
import { testConfig } from '../helpers/test-kernel.ts';

describe.skipIf(!usingPostgres())('event stream listener reconnect (PostgreSQL)', () => {
  let drop: () => Promise<void>;
  let database: Database;
  let kernel: Kernel;
  let server: ServedKernel;

  /** While set, every (re)connection of the LISTEN connection waits for it. */
  let held: Promise<void> | undefined;
  let reconnectAttempts = 0;

  beforeAll(async () => {
    const created = await createPostgresDatabase();
    drop = created.drop;
    database = await openPostgres(created.url, 5, {
      beforeListenerConnect: async () => {
        reconnectAttempts++;
        await held;
      },
    });
    kernel = await createKernel({ config: testConfig(), database, logger: createLogger('silent') });
    await kernel.ready();
    server = await serveKernel(kernel);
  });
  afterAll(async () => {
    await server?.close();
    await kernel?.beforeShutdown();
    await kernel?.close();
    await database?.close();
    await drop?.();
  });

  // postgres.js runs every LISTEN of a client on one dedicated connection.
  const listenerBackends = () =>
    database.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
    );

  it('delivers events committed while the LISTEN connection was down', async () => {
    const signup = await kernel.app.request('/api/actors/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Listener', email: 'listener@example.com' }),
    });
    expect(signup.status).toBe(201);
    const user = (await signup.json()) as {
      api_key: { key: string };
      actor: { id: string };
      workspace: { id: string };
    };
    const hub = kernel.services.eventStream;
    const connection = await connectSse(`${server.url}/api/events/stream`, {
      key: user.api_key.key,
      workspace: user.workspace.id,
    });
    await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'live'));

    let letListenerBack!: () => void;
    held = new Promise((resolve) => {
      letListenerBack = resolve;
    });
    const attemptsBefore = reconnectAttempts;
    const connectsBefore = hub.stats().listenerConnects;
    const [old] = await listenerBackends();
    expect(old).toBeDefined();
    await database.query('select pg_terminate_backend($1)', [old!.pid]);
    // The driver noticed and is trying to come back: it waits on the hook.
    await waitFor(() => reconnectAttempts > attemptsBefore);
    await waitFor(async () => (await listenerBackends()).length === 0);

    const written: number[] = [];
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        const { id } = await recordEvent(tx, {
          workspaceId: user.workspace.id,
          actorId: user.actor.id,
          type: 'outage.write',
          entityType: 'probe',
          entityId: String(i),
        });
        written.push(id);
      }
    });
    // Committed with nobody listening: their NOTIFYs reached no one.
    expect(await listenerBackends()).toEqual([]);
    expect(hub.stats().listenerConnects).toBe(connectsBefore);

    held = undefined;
    letListenerBack();
    await waitFor(() => hub.stats().listenerConnects > connectsBefore);
    const seen = await collectUntil(connection, (messages) =>
      messages.some((m) => m.id === String(written.at(-1))),
    );
    connection.close();
    expect(seen.filter((m) => m.id !== undefined).map((m) => Number(m.id))).toEqual(written);
  });
});
