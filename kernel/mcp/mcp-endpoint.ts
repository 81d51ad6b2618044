/**
 * `/mcp`: MCP over Streamable HTTP, behind the same credentials as the API.
 *
 * The API key (`Authorization: Bearer`) and the workspace (`X-Workspace-Id`) are
 * checked by the kernel's own middleware before MCP is involved, so a bad key is the
 * usual 401 envelope and a non-member the usual 404, and no key ever travels in a URL.
 * Without X-Workspace-Id the request is an account session (account-session.ts): the
 * tools that need no workspace, and select_workspace.
 *
 * Stateless mode: nothing about a client lives in process memory between requests,
 * so any instance behind a load balancer can answer any request, enabling an
 * extension shows up in the very next tools/list, and a revoked key stops working at
 * once. What is the same for every caller is built once: the tool catalog, and its
 * split per workspace for as long as that workspace's enablement is cached. A plain
 * tools/call, the message a working agent repeats, is answered directly
 * (direct-tool-call.ts); any other POST gets a fresh SDK server and transport
 * (`sessionIdGenerator: undefined`) built for its caller and workspace, which costs
 * little next to what the SDK does with a message. Responses are plain JSON
 * (`enableJsonResponse`): a tool call is one request and one answer, and the server
 * sends nothing unprompted, so an SSE stream would add only framing. For the same
 * reason GET (the server-to-client stream) and DELETE (ending a session) are 405: the
 * SDK's client treats 405 on GET as "no stream offered" and carries on.
 */

import type { OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_MAX_REQUEST_BODY_SIZE } from '@modelcontextprotocol/sdk/server/requestBody.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { ApiKeyVerifier } from '../auth/api-key-verifier.ts';
import type { MembershipCache } from '../auth/membership-cache.ts';
import { type KernelEnv, workspaceOf } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import type { Database } from '../db/database.ts';
import { authenticate, resolveWorkspace } from '../http/build-router.ts';
import { buildOpenApiDocument } from '../http/openapi-document.ts';
import type { Operation } from '../http/operations.ts';
import type { ExtensionRegistry } from '../registry/registry.ts';
import { KERNEL_VERSION } from '../version.ts';
import { ACCOUNT_SESSION_INSTRUCTIONS, ACCOUNT_SESSION_SCOPE, accountTools } from './account-session.ts';
import { directToolCall } from './direct-tool-call.ts';
import { createMcpServer } from './mcp-server.ts';
import type { ToolCaller } from './mcp-tool.ts';
import { RouteCaller } from './route-caller.ts';
import { ToolCatalog, type WorkspaceTools } from './tool-catalog.ts';

export const MCP_PATH = '/mcp';

export interface McpDeps {
  database: Database;
  memberships: MembershipCache;
  verifier: ApiKeyVerifier;
  registry: ExtensionRegistry;
  operations: readonly Operation[];
  logger: Logger;
}

/** Mounts `/mcp` on the root app; returns the catalog (for tests and the benchmark). */
export function mountMcp(app: OpenAPIHono<KernelEnv>, deps: McpDeps): ToolCatalog {
  const catalog = new ToolCatalog(deps.operations, deps.registry, () =>
    buildOpenApiDocument(app, deps.operations, { version: KERNEL_VERSION }),
  );
  const guard = [authenticate(deps.verifier), resolveWorkspace(deps.memberships, undefined)] as const;

  // No X-Workspace-Id: an account session (account-session.ts) instead of an error.
  let accountSessionTools: WorkspaceTools | undefined;
  app.on('POST', MCP_PATH, guard[0], async (c, next) => {
    if (c.req.header('x-workspace-id') !== undefined) return next();
    accountSessionTools ??= accountTools(catalog.all());
    return answer(
      c,
      accountSessionTools,
      new RouteCaller(app, c, ACCOUNT_SESSION_SCOPE),
      ACCOUNT_SESSION_INSTRUCTIONS,
    );
  });

  app.on('POST', MCP_PATH, guard[1], async (c) => {
    const workspace = workspaceOf(c);
    const tools = await catalog.forWorkspace(workspace.id);
    return answer(c, tools, new RouteCaller(app, c, workspace));
  });

  app.on(['GET', 'DELETE'], MCP_PATH, guard[0], (c) => {
    throw new ApiError(
      405,
      'METHOD_NOT_ALLOWED',
      `${c.req.method} ${MCP_PATH} is not offered: this server speaks stateless Streamable HTTP, so there is no ` +
        `session stream to open or session to end. Send JSON-RPC requests with POST ${MCP_PATH}.`,
      undefined,
      { Allow: 'POST' },
    );
  });

  return catalog;
}

/**
 * One POST: a plain tools/call directly (direct-tool-call.ts), anything else on a
 * fresh SDK server and transport (stateless).
 *
 * The body is read here, as text, and handed over parsed: the SDK would read it as a
 * web stream, which makes @hono/node-server build the full web Request (a stream
 * over the socket, an AbortController) that its own text() avoids. A body that is
 * not JSON, or over the SDK's own limit, is handed over as it came, so that the SDK
 * answers it exactly as before.
 */
async function answer(
  c: Context<KernelEnv>,
  tools: WorkspaceTools,
  caller: ToolCaller,
  instructions?: string,
): Promise<Response> {
  const text = await c.req.text();
  const message = parsedJson(text);
  if (message !== undefined) {
    const direct = await directToolCall(message, c.req.raw.headers, tools, caller);
    if (direct) return direct;
  }
  const server = createMcpServer(tools, caller, instructions);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    if (message === undefined) {
      const { url, headers } = c.req.raw;
      return await transport.handleRequest(new Request(url, { method: 'POST', headers, body: text }));
    }
    return await transport.handleRequest(c.req.raw, { parsedBody: message });
  } finally {
    // JSON mode: the answer is complete once handleRequest resolves.
    await server.close();
  }
}

/** The parsed body, or undefined when the SDK must judge it (not JSON, or too large). */
function parsedJson(text: string): unknown {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: only a long text needs counting.
  if (
    text.length * 3 > DEFAULT_MAX_REQUEST_BODY_SIZE &&
    Buffer.byteLength(text) > DEFAULT_MAX_REQUEST_BODY_SIZE
  ) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
