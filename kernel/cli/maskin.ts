/**
 * The `maskin` command (bin/maskin.js runs it through tsx).
 *
 *   maskin mcp [--url URL] [--key KEY] [--workspace ID]
 *
 * serves the MCP tools of a running server over stdio (see kernel/mcp/stdio-proxy.ts).
 * The other commands are the operator's, on the configured database without the
 * server (kernel/cli/operator-commands.ts).
 * The key defaults to MASKIN_API_KEY so it need not appear in a process list or a
 * client's config file; MASKIN_URL and MASKIN_WORKSPACE_ID default the others.
 * stdout belongs to the protocol: every message for humans goes to stderr.
 */
import { parseArgs } from 'node:util';
import { runStdioProxy } from '../mcp/stdio-proxy.ts';
import { migrateAll } from '../migrate-command.ts';
import {
  agentsCreate,
  extensionsEnable,
  extensionsList,
  keysCreate,
  keysList,
  keysRevoke,
  type Options,
  workspacesCreate,
  workspacesList,
} from './operator-commands.ts';

const USAGE = `Usage: maskin <command>

Operator commands, on the configured database (DATABASE_URL, or the embedded one in
MASKIN_DATA_DIR, default ./.maskin/data); stop a server using the embedded database first:

  maskin keys create [--actor ID|EMAIL] [--name NAME]   a new API key (on an empty database: the operator account)
  maskin keys list [--actor ID|EMAIL]                   an account's keys
  maskin keys revoke KEY_ID                             revoke a key at once
  maskin workspaces create --name NAME [--actor ID|EMAIL]
  maskin workspaces list [--actor ID|EMAIL]
  maskin agents create --workspace ID --name NAME [--role member]   an agent and its API key
  maskin extensions list [--workspace ID]
  maskin extensions enable EXTENSION_ID --workspace ID
  maskin migrate                                        apply pending migrations

  --actor defaults to the oldest human account (the one the first start created).

maskin mcp [--url URL] [--key KEY] [--workspace ID]

Serves the MCP tools of a running Maskin server over stdio, for desktop MCP clients.

  --url        Server base URL (default: $MASKIN_URL or http://127.0.0.1:3000)
  --key        API key, ank_... (default: $MASKIN_API_KEY; prefer the variable)
  --workspace  Workspace id (default: $MASKIN_WORKSPACE_ID; without one, the account tools
               and select_workspace, which switches this connection to a workspace)
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

type Handler = (
  positional: string | undefined,
  options: Options,
  print: (line: string) => void,
) => Promise<void>;

const OPERATOR_COMMANDS: Record<string, Handler> = {
  'keys create': (_, options, print) => keysCreate(options, print),
  'keys list': (_, options, print) => keysList(options, print),
  'keys revoke': keysRevoke,
  'workspaces create': (_, options, print) => workspacesCreate(options, print),
  'workspaces list': (_, options, print) => workspacesList(options, print),
  'agents create': (_, options, print) => agentsCreate(options, print),
  'extensions list': (_, options, print) => extensionsList(options, print),
  'extensions enable': extensionsEnable,
};

async function operator(handler: Handler, argv: string[]) {
  let parsed: { values: Options & { help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        actor: { type: 'string' },
        name: { type: 'string' },
        workspace: { type: 'string' },
        role: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (parsed.values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    await handler(parsed.positionals[0], parsed.values, print);
  } catch (error) {
    // Service errors (ApiError) and ours carry a message written for people; no stack.
    log(`maskin: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const [command, ...rest] = process.argv.slice(2);
const subcommand = command && rest[0] ? OPERATOR_COMMANDS[`${command} ${rest[0]}`] : undefined;
if (command === 'mcp') {
  await mcp(rest);
} else if (subcommand) {
  await operator(subcommand, rest.slice(1));
} else if (command === 'migrate') {
  if (!(await migrateAll((line) => process.stdout.write(`${line}\n`)))) process.exit(1);
} else if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stderr.write(USAGE);
} else {
  fail(`unknown command "${command}"\n\n${USAGE}`);
}
