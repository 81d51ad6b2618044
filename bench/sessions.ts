/**
 * `npm run bench -- sessions`: the sessions extension with a real agent process (the
 * sessions tests' fake agent as a `custom` runtime profile), each case next to a
 * baseline measured in the same run.
 *
 *   - create -> running: POST /api/sessions until GET shows `started_at` (polled every
 *     5 ms), one session at a time; baseline: spawning the same fake agent with
 *     child_process until its first stdout line, interleaved with the sessions so the
 *     machine's drift touches both alike.
 *   - sessions started per second across two server processes (kernel/main.ts) on one
 *     PostgreSQL database, a burst created through both; baseline: the same burst
 *     through one process (the other not yet started). PostgreSQL only: PGlite is
 *     in-process and a second process cannot open it.
 *   - log lines stored and streamed: an agent printing N lines; the time until all N
 *     are stored (a count on sessions_log_lines, polled every 20 ms) and until all N
 *     arrived over GET /api/sessions/{id}/logs/stream; baseline: the raw multi-row
 *     INSERT of N rows into sessions_log_lines, 200 per transaction (the writer's
 *     maxBatch), through the kernel's driver.
 *
 * BENCH_SESSIONS (default 20) samples of create -> running; BENCH_SESSIONS_BURST
 * (default 20) sessions per burst; BENCH_LOG_LINES (default 5000). Numbers, never pass/fail.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import { type BenchModule, databaseKind, freshDatabaseEnv, ms, summarize, type Table } from './lib.ts';
import { startKernelProcess, stopAll } from './load/processes.ts';
import {
  FAKE_AGENT,
  followSse,
  type ProductServer,
  SESSIONS_ENV,
  setUpAccount,
  startProductServer,
  until,
} from './product/harness.ts';

const SAMPLES = Number(process.env.BENCH_SESSIONS ?? 20);
const BURST = Number(process.env.BENCH_SESSIONS_BURST ?? 20);
const LOG_LINES = Number(process.env.BENCH_LOG_LINES ?? 5000);
const LOG_BATCH = 200;

/** Spawns the fake agent as the runtime would (its prompt in MASKIN_PROMPT); ms until its first stdout line. */
async function spawnToFirstLine(cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [FAKE_AGENT], {
    cwd,
    env: { ...process.env, MASKIN_PROMPT: 'exit=0' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const lines = createInterface({ input: child.stdout! });
  const elapsed = await new Promise<number>((resolve, reject) => {
    lines.once('line', () => resolve(performance.now() - started));
    child.once('error', reject);
  });
  await exited;
  return elapsed;
}

async function startSession(server: ProductServer, prompt: string): Promise<string> {
  const created = await server.call('POST', '/api/sessions', { agent_id: server.agentId, prompt });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id;
}

async function createToRunning(server: ProductServer): Promise<Table> {
  const cwd = mkdtempSync(join(tmpdir(), 'maskin-bench-spawn-'));
  const client: number[] = [];
  const clientLine: number[] = [];
  const serverSide: number[] = [];
  const spawned: number[] = [];
  try {
    for (let i = -2; i < SAMPLES; i++) {
      const direct = await spawnToFirstLine(cwd);
      const started = performance.now();
      const id = await startSession(server, 'exit=0');
      const session = await until(
        `session ${id} to start`,
        async () => {
          const got = await server.call('GET', `/api/sessions/${id}`);
          return got.body.started_at ? got.body : undefined;
        },
        { everyMs: 5 },
      );
      const elapsed = performance.now() - started;
      await until(
        `a stdout line of ${id}`,
        async () => {
          const [row] = await server.query<{ n: number }>(
            `select count(*)::int as n from sessions_log_lines where session_id = $1 and stream = 'stdout'`,
            [id],
          );
          return row!.n > 0 ? true : undefined;
        },
        { everyMs: 5 },
      );
      const firstLine = performance.now() - started;
      await until(`session ${id} to end`, async () => {
        const got = await server.call('GET', `/api/sessions/${id}`);
        return ['completed', 'failed'].includes(got.body.status) ? true : undefined;
      });
      if (i < 0) continue; // warm-up
      spawned.push(direct);
      client.push(elapsed);
      clientLine.push(firstLine);
      serverSide.push(Date.parse(session.started_at) - Date.parse(session.created_at));
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  const base = summarize(spawned);
  const row = (name: string, samples: number[]) => {
    const s = summarize(samples);
    return [name, s.n, ms(s.p50), ms(s.p99), (s.p50 / base.p50).toFixed(2)];
  };
  return {
    title: `Sessions: create -> running (${databaseKind()}; ms)`,
    columns: ['measure', 'n', 'p50', 'p99', 'x spawn p50'],
    rows: [
      row('spawn fake agent -> first stdout line (baseline)', spawned),
      row('POST /api/sessions -> started_at seen (client)', client),
      row('created_at -> started_at (server clocks)', serverSide),
      row('POST /api/sessions -> first stdout line stored', clientLine),
    ],
    notes: [
      'One session at a time (prompt exit=0), each after a direct spawn of the same script.',
      'started_at is set when the process is spawned and the session marked running; the client',
      'polls GET every 5 ms. Path: start job claimed (NOTIFY), key minted, work dir, spawn, transition.',
      'The spawn baseline includes node startup and the script loading the MCP SDK, so compare it with',
      'the first stdout line stored (polled every 5 ms; the writer flushes every 100 ms).',
    ],
  };
}

async function logThroughput(server: ProductServer): Promise<Table> {
  const startedAt = performance.now();
  // long=1: the agent stays until told to exit (see the report of lines lost at a fast exit).
  const id = await startSession(server, `lines=${LOG_LINES} long=1`);
  const streamed: { first?: number; last?: number } = {};
  const stream = await followSse(
    `${server.url}/api/sessions/${id}/logs/stream`,
    {
      authorization: `Bearer ${server.account.key}`,
      'x-workspace-id': server.account.workspaceId,
      'last-event-id': '0',
    },
    (event, data, at) => {
      if (event !== 'log') return;
      const text = (JSON.parse(data) as { text: string }).text;
      if (text === 'line 0') streamed.first = at;
      if (text === `line ${LOG_LINES - 1}`) streamed.last = at;
    },
  );
  const stored: { first?: number; last?: number } = {};
  try {
    await until(
      'every line to be stored',
      async () => {
        const [row] = await server.query<{ n: number }>(
          `select count(*)::int as n from sessions_log_lines
            where session_id = $1 and stream = 'stdout' and text like 'line %'`,
          [id],
        );
        const at = performance.now();
        if (row!.n > 0) stored.first ??= at;
        if (row!.n >= LOG_LINES) {
          stored.last = at;
          return true;
        }
        return undefined;
      },
      { everyMs: 20 },
    );
    await until('every line to be streamed', async () => (streamed.last ? true : undefined));
  } finally {
    stream.close();
  }
  await server.call('POST', `/api/sessions/${id}/input`, { text: 'exit' });
  await until(`session ${id} to end`, async () => {
    const got = await server.call('GET', `/api/sessions/${id}`);
    return ['completed', 'failed'].includes(got.body.status) ? true : undefined;
  });

  // Baseline: the same number of rows, batches of the writer's size, one multi-row INSERT each.
  const { database } = server.kernel.services;
  const scope = `${server.account.workspaceId}/${id}:raw`;
  const rawStarted = performance.now();
  for (let offset = 0; offset < LOG_LINES; offset += LOG_BATCH) {
    const count = Math.min(LOG_BATCH, LOG_LINES - offset);
    const params: unknown[] = [scope, server.account.workspaceId, id];
    const values: string[] = [];
    for (let i = 0; i < count; i++) {
      params.push(offset + i + 1, `line ${offset + i}`);
      values.push(`($1, $${params.length - 1}, $2, $3, 'stdout', 'line', $${params.length})`);
    }
    await database.scriptTransaction((tx) =>
      tx.query(
        `insert into sessions_log_lines (scope, id, workspace_id, session_id, stream, kind, text)
         values ${values.join(', ')}`,
        params,
      ),
    );
  }
  const rawSeconds = (performance.now() - rawStarted) / 1000;
  const rawRate = LOG_LINES / rawSeconds;
  // One start for both windows: the first line seen either way (stored, or received).
  const firstSeen = Math.min(stored.first ?? Number.NaN, streamed.first ?? Number.NaN);
  const rate = (window: { last?: number }) => LOG_LINES / (((window.last ?? Number.NaN) - firstSeen) / 1000);
  const storedRate = rate(stored);
  const streamedRate = rate(streamed);
  return {
    title: `Sessions: log lines stored and streamed (${databaseKind()}; ${LOG_LINES} lines)`,
    columns: ['measure', 'POST -> last (ms)', 'lines/s', 'x raw'],
    rows: [
      [
        `raw INSERT, ${LOG_BATCH} rows per transaction (baseline)`,
        ms(rawSeconds * 1000),
        Math.round(rawRate),
        '1.00',
      ],
      [
        'stored (count reaches N)',
        ms(stored.last! - startedAt),
        Math.round(storedRate),
        (storedRate / rawRate).toFixed(2),
      ],
      [
        'streamed over SSE (line N-1 received)',
        ms(streamed.last! - startedAt),
        Math.round(streamedRate),
        (streamedRate / rawRate).toFixed(2),
      ],
    ],
    notes: [
      'lines/s: N over the window from the first line seen (stored count > 0 polled every 20 ms, or',
      'line 0 on the stream, whichever came first) to the last; the agent prints all N at once.',
      'The writer takes one stream id per line (counter row) and inserts line by line, batched per transaction.',
    ],
  };
}

/** N sessions created at once through `urls` in turn; seconds from the first POST until all started. */
async function burst(
  sql: postgres.Sql,
  urls: string[],
  account: { key: string; workspaceId: string },
  agentId: string,
  count: number,
) {
  const started = performance.now();
  const ids = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${urls[i % urls.length]}/api/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${account.key}`,
          'x-workspace-id': account.workspaceId,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ agent_id: agentId, prompt: 'exit=0' }),
      });
      const body = (await response.json()) as { id: string };
      if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(body)}`);
      return body.id;
    }),
  );
  await until(
    'every session of the burst to start',
    async () => {
      const [row] =
        await sql`select count(*)::int as n from sessions where id = any(${ids}) and started_at is not null`;
      return row!.n === ids.length ? true : undefined;
    },
    { everyMs: 10 },
  );
  const seconds = (performance.now() - started) / 1000;
  await until('every session of the burst to end', async () => {
    const [row] = await sql`select count(*)::int as n from sessions where id = any(${ids})
                             and status in ('completed', 'failed')`;
    return row!.n === ids.length ? true : undefined;
  });
  const split = await sql`select count(distinct instance_id)::int as n from sessions where id = any(${ids})`;
  return { seconds, instances: split[0]!.n as number };
}

async function twoProcesses(): Promise<Table> {
  const title = `Sessions: started per second, one vs two server processes (${databaseKind()})`;
  const columns = ['measure', 'sessions', 'instances used', 'ms', 'sessions/s', 'x one'];
  if (!process.env.DATABASE_URL) {
    return {
      title,
      columns,
      rows: [['skipped on PGlite', '-', '-', '-', '-', '-']],
      notes: ['PGlite is an in-process database: a second server process cannot open it. Set DATABASE_URL.'],
    };
  }
  const database = await freshDatabaseEnv('sessions-two');
  const folder = mkdtempSync(join(tmpdir(), 'maskin-bench-sessions-two-'));
  const sql = postgres(database.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  try {
    const env = {
      ...database.env,
      ...SESSIONS_ENV,
      LOG_LEVEL: 'info', // startKernelProcess waits for the `listening` info line
      MASKIN_DATA_DIR: join(folder, 'data'),
      MASKIN_BLOB_DIR: join(folder, 'blobs'),
      MASKIN_EXT_SESSIONS_WORK_DIR: join(folder, 'work'),
    };
    const first = await startKernelProcess(env, join(folder, 'first.log'));
    const { account, agentId } = await setUpAccount(first.url, 1000);
    await burst(sql, [first.url], account, agentId, 4); // warm-up
    const one = await burst(sql, [first.url], account, agentId, BURST);
    const second = await startKernelProcess(env, join(folder, 'second.log'));
    await burst(sql, [first.url, second.url], account, agentId, 4); // warm-up of the second
    const two = await burst(sql, [first.url, second.url], account, agentId, BURST);
    const row = (name: string, result: { seconds: number; instances: number }) => [
      name,
      BURST,
      result.instances,
      ms(result.seconds * 1000),
      (BURST / result.seconds).toFixed(1),
      (one.seconds / result.seconds).toFixed(2),
    ];
    return {
      title,
      columns,
      rows: [row('one process (baseline)', one), row('two processes, POSTs alternating', two)],
      notes: [
        'A burst created at once (prompt exit=0); ms from the first POST until every session has started_at.',
        'Each start is a job claimed by whichever process is free; the start spawns the agent process.',
      ],
    };
  } finally {
    await stopAll();
    await sql.end();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function run(): Promise<Table[]> {
  const tables: Table[] = [];
  const server = await startProductServer('sessions');
  try {
    tables.push(await createToRunning(server));
    tables.push(await logThroughput(server));
  } finally {
    await server.close();
  }
  tables.push(await twoProcesses());
  return tables;
}

export const sessionsBench: BenchModule = { name: 'sessions', run };

if (import.meta.filename === process.argv[1]) {
  const { formatTable } = await import('./lib.ts');
  for (const table of await run()) process.stdout.write(`${formatTable(table)}\n\n`);
}
