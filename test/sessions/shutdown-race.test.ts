/**
 * Shutdown while a run is already ending: the agent died on its own and the final write of
 * its run is in flight (held here by a row lock on the session) when the server shuts
 * down. The shutdown waits for that ending instead of starting a second one, so the run
 * keeps its own outcome (failed by the signal, not by the shutdown) and nothing writes
 * after the pool closes (before, that write could fail as an unhandled CONNECTION_ENDED
 * rejection). PostgreSQL only: the lock needs a second connection, which PGlite lacks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { usingPostgres } from '../helpers/test-database.ts';
import { type Bench, createBench } from './harness.ts';

describe.skipIf(!usingPostgres())('shutdown during a run that is ending', () => {
  const pidDir = mkdtempSync(join(tmpdir(), 'fake-agent-pids-'));
  let bench: Bench | undefined;
  let client: postgres.Sql | undefined;
  afterAll(async () => {
    await client?.end({ timeout: 1 });
    await bench?.t.testDatabase.drop();
    if (bench) rmSync(bench.workRoot, { recursive: true, force: true });
    rmSync(pidDir, { recursive: true, force: true });
  });

  it('waits for the ending in flight and keeps its outcome', async () => {
    bench = await createBench({ profile: { env: { FAKE_AGENT_PID_DIR: pidDir } } });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const created = await bench.start('long=1');
      await bench.waitStatus(created.id, ['running']);
      const pid = await bench.waitPid(pidDir, created.id);
      client = postgres(bench.t.testDatabase.url!, { max: 2, onnotice: () => {} });
      const lock = await client.reserve();
      await lock`begin`;
      await lock`select id from sessions where id = ${created.id} for update`;

      // The agent dies on its own; the final transition of its run waits on our lock.
      process.kill(pid, 'SIGKILL');
      await bench.waitFor('the final transition to wait on the lock', async () => {
        const [row] = await client!`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`;
        return row!.waiting > 0;
      });

      // Shut down the kernel (not the database: the outcome is read after).
      await bench.stopServing();
      const kernel = bench.t.kernel;
      const closing = kernel.beforeShutdown().then(() => kernel.close());
      await lock`commit`;
      lock.release();
      await closing;

      const [session] = await client`select status, reason from sessions where id = ${created.id}`;
      expect(session).toMatchObject({ status: 'failed', reason: 'ended by signal SIGKILL' });
      const [instances] = await client`select count(*)::int as n from sessions_instances`;
      expect(instances!.n).toBe(0);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
