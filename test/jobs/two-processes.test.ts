/**
 * Two real server processes on one PostgreSQL run the jobs of the jobs-fixture
 * extension (test/fixtures/jobs-fixture, loaded through MASKIN_EXTENSIONS): a batch
 * runs exactly once in total across both, and a job whose process is killed with
 * SIGKILL mid-run is retried and completed by the other process once its lease
 * expires; each slot of a schedule both processes declare fires once. PostgreSQL only: PGlite is an in-process database that a second process
 * cannot open.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/test-database.ts';
import { until } from './jobs-extension.ts';

const FIXTURE = './test/fixtures/jobs-fixture';

describe.skipIf(!usingPostgres())('jobs across two server processes on one PostgreSQL', () => {
  let drop: (() => Promise<void>) | undefined;
  let sql: postgres.Sql | undefined;
  const servers: ServerProcess[] = [];
  let account: { key: string; workspaceId: string };

  const batch = async (server: ServerProcess, count: number, kind: 'record' | 'block') => {
    const response = await fetch(`${server.url}/api/m/jobs-fixture/batch`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${account.key}`,
        'x-workspace-id': account.workspaceId,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ count, kind }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return ((await response.json()) as { job_ids: string[] }).job_ids;
  };

  beforeAll(async () => {
    const database = await createPostgresDatabase();
    drop = database.drop;
    sql = postgres(database.url, { max: 2, onnotice: () => {} });
    const env = { DATABASE_URL: database.url, MASKIN_EXTENSIONS: FIXTURE };
    // One after the other: the first applies the migrations, the second finds them applied.
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
    const signup = await fetch(`${servers[0]!.url}/api/actors/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Two', email: `jobs-two-${Date.now()}@example.com` }),
    });
    const body = (await signup.json()) as any;
    account = { key: body.api_key.key, workspaceId: body.workspace.id };
  }, 180_000);
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await sql?.end();
    await drop?.();
  });

  it('fires each slot of a schedule once, though both processes declare it', async () => {
    await until(async () => {
      const [row] =
        await sql!`select count(distinct slot)::int as n from jobs_fixture_runs where phase = 'tick'`;
      return row!.n >= 3;
    }, 30_000);
    const [ticks] = await sql!`
      select count(*)::int as runs, count(distinct slot)::int as slots from jobs_fixture_runs where phase = 'tick'`;
    expect(ticks!.runs).toBe(ticks!.slots);
    const [claims] = await sql!`
      select count(*)::int as n from job_schedule_slots where extension_id = 'jobs-fixture' and name = 'every-second'`;
    const [enqueued] = await sql!`
      select count(*)::int as n from jobs where extension_id = 'jobs-fixture' and queue = 'tick'`;
    // Every claimed slot enqueued at most one job, and no slot was claimed twice (primary key).
    expect(enqueued!.n).toBeLessThanOrEqual(claims!.n);
  });

  it('runs a batch exactly once in total across both processes', async () => {
    const ids = [...(await batch(servers[0]!, 100, 'record')), ...(await batch(servers[1]!, 100, 'record'))];
    await until(async () => {
      const [row] =
        await sql!`select count(*)::int as n from jobs where id = any(${ids}) and state = 'completed'`;
      return row!.n === ids.length;
    }, 60_000);
    const [runs] = await sql!`
      select count(*)::int as total, count(distinct job_id)::int as jobs
        from jobs_fixture_runs where phase = 'ran'`;
    expect(runs).toEqual({ total: 200, jobs: 200 });
    const attempts = await sql!`select distinct attempt from jobs where id = any(${ids})`;
    expect(attempts.map((row) => row.attempt)).toEqual([1]);
  });

  it('retries on the other process a job whose process was killed mid-run', async () => {
    const [jobId] = await batch(servers[0]!, 1, 'block');
    let victimPid = 0;
    await until(async () => {
      const rows =
        await sql!`select pid from jobs_fixture_runs where job_id = ${jobId!} and phase = 'started'`;
      victimPid = rows[0]?.pid ?? 0;
      return victimPid !== 0;
    });
    const victim = servers.find((server) => server.pid === victimPid);
    const survivor = servers.find((server) => server.pid !== victimPid)!;
    expect(victim, `pid ${victimPid} is one of the two servers`).toBeDefined();
    await victim!.kill('SIGKILL');
    await sql!`insert into jobs_fixture_releases (job_id) values (${jobId!})`;

    await until(async () => {
      const [job] = await sql!`select state from jobs where id = ${jobId!}`;
      return job!.state === 'completed';
    }, 60_000);
    const runs = await sql!`
      select pid, attempt, phase from jobs_fixture_runs where job_id = ${jobId!} order by id`;
    expect(runs).toEqual([
      { pid: victimPid, attempt: 1, phase: 'started' },
      { pid: survivor.pid, attempt: 2, phase: 'started' },
      { pid: survivor.pid, attempt: 2, phase: 'finished' },
    ]);
    const [job] = await sql!`select attempt, state from jobs where id = ${jobId!}`;
    expect(job).toEqual({ attempt: 2, state: 'completed' });
  });
});
