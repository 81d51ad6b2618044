/**
 * `npm run bench`: runs every benchmark module in sequence and prints its tables.
 * `npm run bench -- events gate` runs only the named modules. Numbers, never pass/fail;
 * each module measures its own raw-database baseline in the same run.
 *
 * To add a module: export a BenchModule (bench/lib.ts) from bench/<name>.ts and append
 * it to `modules` below. Older modules that return rows of plain objects are wrapped
 * with tableFromRows.
 */
import { eventsBench } from './events.ts';
import { gateTable, runGateBench } from './gate.ts';
import { importsBench } from './imports.ts';
import { jobsBench } from './jobs.ts';
import { kernelBench } from './kernel.ts';
import { type BenchModule, databaseKind, formatTable, tableFromRows } from './lib.ts';
import { loadBench } from './load.ts';
import { runMcpBench } from './mcp.ts';
import { objectsTable, runObjectsBench } from './objects.ts';
import { plansBench } from './plans.ts';
import { sessionsBench } from './sessions.ts';
import { startupBench } from './startup.ts';
import { subscriptionsBench } from './subscriptions.ts';
import { triggersBench } from './triggers.ts';

const modules: BenchModule[] = [
  startupBench,
  kernelBench,
  eventsBench,
  {
    name: 'gate',
    run: async () => {
      const table = gateTable(`Enablement gate (${databaseKind()}, warm cache)`, await runGateBench());
      table.notes?.push('A cache miss adds one indexed query.');
      return [table];
    },
  },
  jobsBench,
  {
    name: 'mcp',
    run: async () => [tableFromRows(`MCP tool call vs HTTP (${databaseKind()})`, await runMcpBench())],
  },
  {
    name: 'objects',
    run: async () => [
      objectsTable(
        `Objects API vs driver, in process, sequential (${databaseKind()})`,
        await runObjectsBench(),
      ),
    ],
  },
  plansBench,
  subscriptionsBench,
  loadBench,
  sessionsBench,
  triggersBench,
  importsBench,
];

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !modules.some((m) => m.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown bench module(s): ${unknown.join(', ')}. Available: ${modules.map((m) => m.name).join(', ')}\n`,
  );
  process.exit(1);
}

for (const module of modules) {
  if (wanted.length > 0 && !wanted.includes(module.name)) continue;
  const started = performance.now();
  process.stdout.write(`== ${module.name}\n\n`);
  try {
    for (const table of await module.run()) process.stdout.write(`${formatTable(table)}\n\n`);
  } catch (error) {
    process.stdout.write(
      `  failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\n`,
    );
    process.exitCode = 1;
  }
  process.stdout.write(`(${module.name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);
}
