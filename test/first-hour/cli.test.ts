/**
 * The operator's `maskin` CLI as a real child process (bin/maskin.js, as `npx maskin`
 * runs it) on a fresh database with no server: it creates the operator account and a
 * key, workspaces, an agent with its key, enables an extension, lists and revokes
 * keys and migrates; then the real server, started on that database, honours all of it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/server-process.ts';
import { createProcessDatabase } from '../helpers/test-database.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let env: Record<string, string>;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ env, cleanup } = await createProcessDatabase('cli'));
});
afterAll(() => cleanup());

function maskin(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/maskin.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function ok(...args: string[]) {
  const result = await maskin(...args);
  expect(result.code, `maskin ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const exported = (stdout: string, name: string) => stdout.match(new RegExp(`${name}=(\\S+)`))?.[1];

it('manages keys, workspaces, agents and extensions without the server', async () => {
  // An empty database: the first key creates the operator account, as the first start does.
  const first = await ok('keys', 'create');
  const operatorKey = exported(first, 'MASKIN_API_KEY')!;
  const personal = exported(first, 'MASKIN_WORKSPACE_ID')!;
  expect(operatorKey).toMatch(/^ank_/);
  // A lost key: a second one for the same account.
  const second = await ok('keys', 'create', '--name', 'laptop');
  const laptopKey = exported(second, 'MASKIN_API_KEY')!;
  const laptopKeyId = second.match(/API key ([0-9a-f-]{36})/)![1]!;

  const workspace = exported(await ok('workspaces', 'create', '--name', 'Team'), 'MASKIN_WORKSPACE_ID')!;
  expect(await ok('workspaces', 'list')).toMatch(new RegExp(`${workspace}\\s+owner\\s+Team`));
  const agent = await ok('agents', 'create', '--workspace', workspace, '--name', 'Planner');
  const agentKey = exported(agent, 'MASKIN_API_KEY')!;
  expect(exported(agent, 'MASKIN_WORKSPACE_ID')).toBe(workspace);

  expect(await ok('extensions', 'list', '--workspace', workspace)).toMatch(
    /daily-digest\s+\S+\s+ready\s+disabled/,
  );
  await ok('extensions', 'enable', 'daily-digest', '--workspace', workspace);
  expect(await ok('extensions', 'list', '--workspace', workspace)).toMatch(
    /daily-digest\s+\S+\s+ready\s+enabled/,
  );

  const keys = await ok('keys', 'list');
  expect(keys).toMatch(/bootstrap\s+created .*active/);
  expect(keys).toMatch(/laptop\s+created .*active/);
  expect(await ok('keys', 'revoke', laptopKeyId)).toContain(`Revoked API key ${laptopKeyId}`);
  expect(await ok('keys', 'list')).toMatch(/laptop\s+created .*revoked/);
  expect(await ok('migrate')).toMatch(/^kernel: applied 0, already applied \d+$/m);

  // Mistakes are one line naming the fix, and a non-zero exit.
  const unknown = await maskin('extensions', 'enable', 'nope', '--workspace', workspace);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('Extension "nope" is not installed');
  const noWorkspace = await maskin('agents', 'create', '--name', 'x');
  expect(noWorkspace.code).toBe(1);
  expect(noWorkspace.stderr.trim()).toBe('maskin: pass --workspace <id> (maskin workspaces list shows them)');

  // The server, started on that database, honours all of it.
  const server = await startServerProcess(env);
  try {
    const get = (path: string, key: string, workspaceId?: string) =>
      fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${key}`, ...(workspaceId && { 'x-workspace-id': workspaceId }) },
      });
    expect((await get('/api/actors/me', operatorKey)).status).toBe(200);
    expect((await get('/api/actors/me', laptopKey)).status).toBe(401);
    const me = (await (await get('/api/actors/me', agentKey)).json()) as { type: string; name: string };
    expect(me).toMatchObject({ type: 'agent', name: 'Planner' });
    const list = (await (await get('/api/workspaces', operatorKey)).json()) as { items: { id: string }[] };
    expect(list.items.map((w) => w.id).sort()).toEqual([personal, workspace].sort());
    const extensions = (await (await get(`/api/workspaces/${workspace}/extensions`, operatorKey)).json()) as {
      items: { id: string; enabled: boolean }[];
    };
    expect(extensions.items.find((e) => e.id === 'daily-digest')?.enabled).toBe(true);
  } finally {
    await server.stop();
  }
}, 300_000); // a dozen processes, each booting the kernel
