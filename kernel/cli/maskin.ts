/**
 * The `maskin` command (bin/maskin.js runs it through tsx).
 *
 *   maskin mcp [--url URL] [--key KEY] [--workspace ID]
 *
 * serves the MCP tools of a running server over stdio (see kernel/mcp/stdio-proxy.ts).
 * The key defaults to MASKIN_API_KEY so it need not appear in a process list or a
 * client's config file; MASKIN_URL and MASKIN_WORKSPACE_ID default the others.
 * stdout belongs to the protocol: every message for humans goes to stderr.
 */
import { parseArgs } from 'node:util';
import { runStdioProxy } from '../mcp/stdio-proxy.ts';

const USAGE = `Usage: maskin mcp [--url URL] [--key KEY] [--workspace ID]

Serves the MCP tools of a running Maskin server over stdio, for desktop MCP clients.

  --url        Server base URL (default: $MASKIN_URL or http://127.0.0.1:3000)
  --key        API key, ank_... (default: $MASKIN_API_KEY; prefer the variable)
  --workspace  Workspace id (default: $MASKIN_WORKSPACE_ID)
`;

const log = (message: string) => process.stderr.write(`${message}\n`);

function fail(message: string): never {
  log(`maskin: ${message}`);
  process.exit(2);
}

async function mcp(argv: string[]) {
  let values: { url?: string; key?: string; workspace?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        workspace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const url = values.url ?? process.env.MASKIN_URL ?? 'http://127.0.0.1:3000';
  const apiKey = values.key ?? process.env.MASKIN_API_KEY;
  const workspaceId = values.workspace ?? process.env.MASKIN_WORKSPACE_ID;
  if (!apiKey) fail('no API key: set MASKIN_API_KEY (or pass --key)');
  if (!workspaceId) fail('no workspace: pass --workspace or set MASKIN_WORKSPACE_ID');
  try {
    new URL(url);
  } catch {
    fail(`--url is not a URL: ${url}`);
  }
  try {
    await runStdioProxy({ url, apiKey, workspaceId, log });
  } catch (error) {
    log(`maskin mcp: cannot serve ${url}: ${describeFailure(error)}`);
    process.exit(1);
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is its cause. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  if (cause?.code === 'ECONNREFUSED')
    return 'nothing is listening there (is the server running? check --url)';
  if (cause?.code === 'ENOTFOUND') return 'unknown host (check --url)';
  return cause?.message ? `${error.message}: ${cause.message}` : error.message;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'mcp') {
  await mcp(rest);
} else if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stderr.write(USAGE);
} else {
  fail(`unknown command "${command}"\n\n${USAGE}`);
}
