/**
 * First start on an empty database: create an operator (human actor), a workspace
 * they own and an API key, so a fresh `npm start` is usable at once. Taken under an
 * advisory lock and only when no actor exists, so concurrent or later starts never
 * duplicate it. The key is printed once; only its hash is stored.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { resultRows } from './db/database.ts';
import type { Kernel } from './kernel.ts';

const BOOTSTRAP_LOCK = 72_656_364;

export interface BootstrapResult {
  actorId: string;
  workspaceId: string;
  apiKey: string;
}

export async function bootstrapIfEmpty(kernel: Kernel): Promise<BootstrapResult | null> {
  const { database, actors } = kernel.services;
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
    const [existing] = resultRows<{ any: boolean }>(
      await tx.execute(sql`select exists (select 1 from actors) as any`),
    );
    if (existing?.any) return null;
    const created = await actors.signup(tx, {
      name: 'Operator',
      email: null,
      workspaceName: 'My workspace',
      keyName: 'bootstrap',
    });
    return { actorId: created.actor.id, workspaceId: created.workspace.id, apiKey: created.api_key.key };
  });
}

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'maskin.js');

/** The stdio MCP entry for desktop clients (Claude Desktop, Cursor): the CLI proxies to this server. */
export function stdioMcpConfig(url: string, result: BootstrapResult) {
  return {
    mcpServers: {
      maskin: {
        command: 'node',
        args: [CLI, 'mcp'],
        env: { MASKIN_URL: url, MASKIN_API_KEY: result.apiKey, MASKIN_WORKSPACE_ID: result.workspaceId },
      },
    },
  };
}

export function bootstrapBanner(url: string, result: BootstrapResult): string {
  const mcpJson = JSON.stringify(stdioMcpConfig(url, result), null, 2)
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  return [
    '',
    '  Maskin is ready (first start: an operator account was created).',
    '',
    `  URL           ${url}`,
    `  API key       ${result.apiKey}   (shown once: store it now; lost? npx maskin keys create)`,
    `  Workspace id  ${result.workspaceId}`,
    `  API reference ${url}/docs`,
    '',
    '  In your shell (README.md uses these variables):',
    `    export MASKIN_URL=${url} MASKIN_API_KEY=${result.apiKey} MASKIN_WORKSPACE_ID=${result.workspaceId}`,
    '',
    '  Try it:',
    '    curl -H "Authorization: Bearer $MASKIN_API_KEY" $MASKIN_URL/api/actors/me',
    '  Connect Claude Code over MCP (HTTP):',
    `    claude mcp add --transport http maskin ${url}/mcp --header "Authorization: Bearer ${result.apiKey}" --header "X-Workspace-Id: ${result.workspaceId}"`,
    '  Or a stdio MCP client (Claude Desktop, Cursor), in its JSON config:',
    mcpJson,
    '',
  ].join('\n');
}
