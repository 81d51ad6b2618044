/**
 * `npm run bench -- triggers`: an event trigger with a session action under a burst of
 * events, next to a plain durable subscription consumer measured on the same burst.
 *
 * One event trigger (`object.created` of tasks) starts a session for the fake agent
 * (test/sessions/fixtures/fake-agent.mjs, prompt exit=0); a burst of BENCH_TRIGGER_EVENTS
 * (default 50) tasks is created by concurrent POST /api/objects. Per event: the event's
 * created_at to the session's created_at (subscription delivery, match, run claimed,
 * run job, session created) and to its started_at (plus the start job and the spawn).
 * Baseline: a bench extension's durable subscription on `object.created` whose handler
 * only timestamps: the event's created_at to the handler call, for the same events.
 * All times are the database's clock (created_at, transaction start) against this
 * process's clock, one machine, millisecond precision. Numbers, never pass/fail.
 */
import { defineExtension, eventLogRef } from '../kernel/contract/index.ts';
import { type BenchModule, databaseKind, ms, summarize, type Table } from './lib.ts';
import { startProductServer, until } from './product/harness.ts';

const EVENTS = Number(process.env.BENCH_TRIGGER_EVENTS ?? 50);

/** Event created_at -> handler call (ms), by entity id. */
const handled = new Map<string, number>();

const plainConsumer = defineExtension({
  manifest: {
    id: 'bench-trigger-baseline',
    version: '1.0.0',
    kernel: '^1.0.0',
    description: 'Benchmark: a durable subscription whose handler only timestamps object.created',
    enablement: 'default-on',
  },
  deps: { eventLog: eventLogRef },
  setup({ deps }) {
    deps.eventLog.subscribe({
      consumer: 'latency',
      types: ['object.created'],
      handler: async (event) => {
        if (event.entity_id) handled.set(event.entity_id, Date.now() - Date.parse(event.created_at));
      },
    });
    return {};
  },
});

async function createTasks(
  server: Awaited<ReturnType<typeof startProductServer>>,
  count: number,
  label: string,
) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const created = await server.call('POST', '/api/objects', { type: 'task', title: `${label} ${i}` });
      if (created.status !== 201)
        throw new Error(`object: ${created.status} ${JSON.stringify(created.body)}`);
      return (Array.isArray(created.body) ? created.body[0] : created.body).id as string;
    }),
  );
}

interface Timing {
  entity_id: string;
  to_session: number;
  to_started: number | null;
}

async function timings(
  server: Awaited<ReturnType<typeof startProductServer>>,
  triggerId: string,
  ids: string[],
): Promise<Timing[]> {
  return server.query<Timing>(
    `select e.entity_id,
            extract(epoch from (s.created_at - e.created_at)) * 1000 as to_session,
            extract(epoch from (s.started_at - e.created_at)) * 1000 as to_started
       from triggers_runs r
       join events e on e.workspace_id = r.workspace_id and e.id = r.event_id
       join sessions s on s.id = r.session_id
      where r.trigger_id = $1 and e.entity_id = any($2::text[])`,
    [triggerId, ids],
  );
}

async function run(): Promise<Table[]> {
  const server = await startProductServer('triggers', {
    extensions: [
      { definition: plainConsumer, tier: 'third-party', source: 'bench:triggers', dir: undefined },
    ],
    maxConcurrentSessions: 1000,
  });
  try {
    const trigger = await server.call('POST', '/api/triggers', {
      name: 'bench: a session per new task',
      type: 'event',
      config: { types: ['object.created'], conditions: { entity_type: 'task' } },
      action: { kind: 'session', agent_id: server.agentId, prompt: 'exit=0 task={{event.entity_id}}' },
      max_fires_per_hour: 3600,
    });
    if (trigger.status !== 201) throw new Error(`trigger: ${trigger.status} ${JSON.stringify(trigger.body)}`);
    const triggerId = trigger.body.id as string;
    const settle = async (ids: string[]) =>
      until(
        'every session of the burst to start',
        async () => {
          const rows = await timings(server, triggerId, ids);
          const done = rows.filter((row) => row.to_started !== null);
          return done.length === ids.length && ids.every((id) => handled.has(id)) ? rows : undefined;
        },
        { everyMs: 50, timeoutMs: 300_000 },
      );
    await settle(await createTasks(server, 3, 'warm-up'));

    const ids = await createTasks(server, EVENTS, 'burst');
    const rows = await settle(ids);

    const baseline = summarize(ids.map((id) => handled.get(id)!));
    const toSession = summarize(rows.map((row) => Number(row.to_session)));
    const toStarted = summarize(rows.map((row) => Number(row.to_started)));
    const row = (name: string, s: ReturnType<typeof summarize>) => [
      name,
      s.n,
      ms(s.p50),
      ms(s.p99),
      ms(s.mean),
      (s.p50 / baseline.p50).toFixed(1),
    ];
    return [
      {
        title: `Triggers: event -> session under a burst of ${EVENTS} events (${databaseKind()}; ms)`,
        columns: ['measure', 'n', 'p50', 'p99', 'mean', 'x baseline p50'],
        rows: [
          row('event -> plain subscription handler (baseline)', baseline),
          row('event -> session created_at', toSession),
          row('event -> session started_at (running)', toStarted),
        ],
        notes: [
          `${EVENTS} concurrent POST /api/objects; both consumers see the same events in the same run.`,
          'Trigger path: subscription (match, run claimed) -> run job -> session created -> start job -> spawn.',
        ],
      },
    ];
  } finally {
    await server.close();
  }
}

export const triggersBench: BenchModule = { name: 'triggers', run };

if (import.meta.filename === process.argv[1]) {
  const { formatTable } = await import('./lib.ts');
  for (const table of await run()) process.stdout.write(`${formatTable(table)}\n\n`);
}
