/**
 * PostgreSQL only: the LISTEN connection is killed with pg_terminate_backend while a
 * transaction writes events. The driver reconnects by itself; the hub's onConnect
 * catch-up must deliver what committed while nobody was listening.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../kernel/events/record-event.ts';
import { collectUntil, connectSse, type ServedKernel, serveKernel, waitFor } from '../helpers/sse-client.ts';
import { usingPostgres } from '../helpers/test-database.ts';
import { createTestKernel, type TestKernel } from '../helpers/test-kernel.ts';

describe.skipIf(!usingPostgres())('event stream listener reconnect (PostgreSQL)', () => {
  let t: TestKernel;
  let server: ServedKernel;
  let user: Awaited<ReturnType<TestKernel['signup']>>;

  beforeAll(async () => {
    t = await createTestKernel();
    server = await serveKernel(t.kernel);
    user = await t.signup('Listener');
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  // postgres.js runs every LISTEN of a process on one dedicated connection.
  const listenerBackend = async () => {
    const [row] = await t.kernel.services.database.query<{ pid: number; backend_start: Date }>(
      `select pid, backend_start from pg_stat_activity
        where datname = current_database() and query ilike 'listen %'`,
    );
    return row;
  };

  it('delivers events committed while the LISTEN connection was down', async () => {
    const { database } = t.kernel.services;
    const hub = t.kernel.services.eventStream;
    const connection = await connectSse(`${server.url}/api/events/stream`, {
      key: user.key,
      workspace: user.workspaceId,
    });
    await collectUntil(connection, (seen) => seen.some((m) => m.comment === 'live'));

    const written: number[] = [];
    let outages = 0;
    for (let attempt = 0; attempt < 5 && outages === 0; attempt++) {
      const old = await listenerBackend();
      expect(old).toBeDefined();
      const connects = hub.stats().listenerConnects;
      await database.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_terminate_backend(${old!.pid})`);
        for (let i = 0; i < 3; i++) {
          const { id } = await recordEvent(tx, {
            workspaceId: user.workspaceId,
            actorId: user.actorId,
            type: 'outage.write',
            entityType: 'probe',
            entityId: String(attempt),
          });
          written.push(id);
        }
      });
      const [{ now }] = (await database.query<{ now: Date }>('select clock_timestamp() as now')) as [
        { now: Date },
      ];
      await waitFor(() => hub.stats().listenerConnects > connects);
      const fresh = await listenerBackend();
      expect(fresh!.pid).not.toBe(old!.pid);
      // The new listener's session began after the commit: nobody was listening then.
      if (new Date(fresh!.backend_start) > new Date(now)) outages++;
    }
    expect(outages).toBeGreaterThan(0);
    const seen = await collectUntil(connection, (messages) =>
      messages.some((m) => m.id === String(written.at(-1))),
    );
    connection.close();
    expect(seen.filter((m) => m.id !== undefined).map((m) => Number(m.id))).toEqual(written);
  });
});
