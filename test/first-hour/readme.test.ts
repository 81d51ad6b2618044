/**
 * README.md, run as written against a fresh database: `npm start` (the real server,
 * through npm), the `export` line and the `curl` its first-start banner prints, every
 * product and team command of the README, the event stream followed with `curl -N`,
 * and the operator CLI. The commands are read from the README itself (each fenced `sh`
 * block after a `<!-- test: name -->` comment), so the README cannot drift from the
 * code: change a command there and this test runs the new one.
 *
 * Blocks share shell variables the way a reader's terminal does: each runs in bash
 * with `set -a` after sourcing what the previous blocks exported.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../helpers/server-process.ts';
import { createProcessDatabase } from '../helpers/test-database.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const UUID = /^[0-9a-f-]{36}$/;

/** `<!-- test: name -->` followed by a ```sh block, in README order. */
function readmeBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/<!-- test: ([\w-]+) -->\n```sh\n([\s\S]*?)```/g)) {
    if (blocks.has(match[1]!)) throw new Error(`README has two blocks named ${match[1]}`);
    blocks.set(match[1]!, match[2]!);
  }
  return blocks;
}

const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const block = (name: string) => {
  const text = blocks.get(name);
  if (!text) throw new Error(`README has no <!-- test: ${name} --> block`);
  return text;
};

let databaseEnv: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;
let stateFile: string;
let server: ChildProcess | undefined;
let serverOutput = '';
let serverExited: Promise<void> = Promise.resolve();

beforeAll(async () => {
  ({ env: databaseEnv, cleanup } = await createProcessDatabase('readme'));
  scratch = mkdtempSync(join(tmpdir(), 'maskin-readme-'));
  stateFile = join(scratch, 'state.sh');
  writeFileSync(stateFile, '');
});

afterAll(async () => {
  await stopServer();
  rmSync(scratch, { recursive: true, force: true });
  await cleanup();
});

async function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    // npm and the node it started: the process group this test created.
    process.kill(-server.pid!, 'SIGTERM');
  }
  await serverExited;
}

const baseEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? scratch,
  LOG_LEVEL: 'warn',
  ...databaseEnv,
});

/** Runs shell text in bash with the variables of earlier blocks; resolves with its output. */
function shell(script: string, env: Record<string, string> = {}) {
  const child = spawn(
    'bash',
    ['-c', `set -a; . '${stateFile}'; set -o pipefail\n${script}\nexport -p > '${stateFile}'`],
    {
      cwd: ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

async function run(name: string) {
  const result = await shell(block(name));
  expect(result.code, `README block "${name}" failed:\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Resolves when `read()` satisfies `done`, checked each time the stream grows. */
function waitForOutput(stream: NodeJS.ReadableStream, read: () => string, done: (text: string) => boolean) {
  return new Promise<void>((resolve, reject) => {
    if (done(read())) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting; output so far:\n${read()}`)),
      120_000,
    );
    const check = () => {
      if (done(read())) {
        clearTimeout(timer);
        stream.off('data', check);
        resolve();
      }
    };
    stream.on('data', check);
  });
}

const state = () => {
  const variables: Record<string, string> = {};
  for (const match of readFileSync(stateFile, 'utf8').matchAll(/^declare -x (\w+)="(.*)"$/gm)) {
    variables[match[1]!] = match[2]!;
  }
  return variables;
};

async function api(path: string, key?: string) {
  const { MASKIN_URL, MASKIN_API_KEY, MASKIN_WORKSPACE_ID } = state();
  const response = await fetch(`${MASKIN_URL}${path}`, {
    headers: { authorization: `Bearer ${key ?? MASKIN_API_KEY}`, 'x-workspace-id': MASKIN_WORKSPACE_ID! },
  });
  return response.json() as Promise<any>;
}

it('the README works as written, from the first start to the operator CLI', async () => {
  // Start: the block as written, except `npm install` (the test runs in an installed tree).
  expect(block('start').trim()).toBe('npm install && npm start');
  const port = await freePort();
  server = spawn('bash', ['-c', 'npm start'], {
    cwd: ROOT,
    env: { ...baseEnv(), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stopping it stops npm and node together
  });
  serverExited = new Promise((resolve) => server!.once('exit', () => resolve()));
  server.stdout!.on('data', (chunk: Buffer) => {
    serverOutput += chunk.toString();
  });
  server.stderr!.on('data', (chunk: Buffer) => {
    serverOutput += chunk.toString();
  });
  await waitForOutput(
    server.stdout!,
    () => serverOutput,
    (text) => text.includes('mcpServers'),
  );
  expect(serverOutput).toMatch(
    /maskin: listening on http:\/\/127\.0\.0\.1:\d+ · .* · \d+ migrations applied/,
  );

  // The banner's export line and its curl, as printed.
  const exportLine = serverOutput.match(/^\s*(export MASKIN_URL=.*)$/m)![1]!;
  const curlLine = serverOutput.match(/^\s*(curl -H "Authorization: Bearer \$MASKIN_API_KEY" .*)$/m)![1]!;
  const printed = await shell(`${exportLine}\n${curlLine}`);
  expect(printed.code, printed.stderr).toBe(0);
  expect(JSON.parse(printed.stdout)).toMatchObject({ type: 'human', name: 'Operator' });
  expect(state().MASKIN_URL).toBe(`http://127.0.0.1:${port}`);

  expect(JSON.parse(await run('me'))).toMatchObject({ type: 'human' });

  // The product.
  const insight = (await run('insight')).trim();
  expect(insight).toMatch(UUID);
  expect(await api(`/api/objects/${insight}`)).toMatchObject({ type: 'insight', status: 'new' });
  const bet = (await run('bet')).trim();
  expect(await api(`/api/objects/${bet}`)).toMatchObject({ type: 'bet', status: 'proposed' });
  expect(JSON.parse(await run('link'))).toMatchObject({ type: 'informs', id: expect.stringMatching(UUID) });
  const task = (await run('tasks')).trim();
  expect(task).toMatch(UUID);
  const betDetail = await api(`/api/objects/${bet}`);
  expect(betDetail.relationships.map((edge: { type: string }) => edge.type).sort()).toEqual([
    'breaks_into',
    'breaks_into',
    'informs',
  ]);
  expect(JSON.parse(await run('status'))).toEqual({ status: 'in_progress', version: 2 });
  const hits = (await run('search')).trim().split('\n');
  expect(hits).toContain('insight\tCustomers cannot find CSV export');
  expect(hits).toContain('bet\tMake exports easy to find');
  expect(hits).toContain('task\tAdd an Export button to the list');
  const activity = (await run('activity')).trim().split('\n');
  expect(activity).toHaveLength(5);
  expect(activity[0]).toMatch(/^\d+\tobject\.(status_changed|updated)$/);

  // Follow the stream: it opens, then shows an event committed after it opened.
  const stream = spawn('bash', ['-c', `set -a; . '${stateFile}'\n${block('stream')}`], {
    cwd: ROOT,
    env: baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let streamed = '';
  stream.stdout.on('data', (chunk: Buffer) => {
    streamed += chunk.toString();
  });
  const streamExited = new Promise((resolve) => stream.once('exit', resolve));
  try {
    await waitForOutput(
      stream.stdout,
      () => streamed,
      (text) => text.includes(': live'),
    );
    const { MASKIN_URL, MASKIN_API_KEY, MASKIN_WORKSPACE_ID } = state();
    const created = await fetch(`${MASKIN_URL}/api/objects`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${MASKIN_API_KEY}`,
        'x-workspace-id': MASKIN_WORKSPACE_ID!,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'insight', title: 'Seen live' }),
    });
    const { id } = (await created.json()) as { id: string };
    await waitForOutput(
      stream.stdout,
      () => streamed,
      (text) => text.includes(id),
    );
    expect(streamed).toMatch(/event: object\.created/);
  } finally {
    stream.kill('SIGTERM');
    await streamExited;
  }

  // Team and agents.
  const joined = JSON.parse(await run('signup'));
  expect(joined.actor).toMatch(UUID);
  expect(joined.key).toMatch(/^ank_/);
  expect(JSON.parse(await run('invite'))).toEqual({
    email: 'ada@example.com',
    role: 'member',
    status: 'pending',
  });
  expect(JSON.parse(await run('accept'))).toEqual({ actor_id: joined.actor, role: 'member' });
  const agentKey = (await run('agent')).trim();
  expect(await api('/api/actors/me', agentKey)).toMatchObject({ type: 'agent', name: 'Planner' });

  // Operators: the CLI on the same database, server stopped.
  await stopServer();
  const cli = await run('cli');
  expect(cli).toMatch(/API key [0-9a-f-]{36} for Operator .*shown once: ank_/);
  expect(cli).toMatch(/bootstrap\s+created .*active/);
  expect(cli).toMatch(/Created agent [0-9a-f-]{36} "Release bot"/);
  expect(cli).toMatch(/daily-digest\s+\S+\s+ready\s+disabled/);
  expect(cli).toContain(`Enabled daily-digest in workspace ${state().MASKIN_WORKSPACE_ID}.`);
  expect(cli).toMatch(/^kernel: applied 0, already applied \d+$/m);
}, 600_000);
