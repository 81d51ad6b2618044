/**
 * `/mcp`: MCP over Streamable HTTP, behind the same credentials as the API.
 *
 * The API key (`Authorization: Bearer`) and the workspace (`X-Workspace-Id`) are
 * checked by the kernel's own middleware before MCP is involved, so a bad key is the
 * usual 401 envelope and a non-member the usual 404, and no key ever travels in a URL.
 * Without X-Workspace-Id the request is an account session (account-session.ts): the
 * tools that need no workspace, and select_workspace.
 *
 * Stateless mode: every POST gets a fresh server and transport
 * (`sessionIdGenerator: undefined`) built for its caller and workspace. Nothing lives
 * in process memory between requests, so any instance behind a load balancer can
 * answer any request, enabling an extension shows up in the very next tools/list,
 * and a revoked key stops working at once. The cost is rebuilding a small server per
 * request (the tool catalog itself is derived once). Responses are plain JSON
 * (`enableJsonResponse`): a tool call is one request and one answer, and the server
 * sends nothing unprompted, so an SSE stream would add only framing. For the same
 * reason GET (the server-to-client stream) and DELETE (ending a session) are 405: the
 * SDK's client treats 405 on GET as "no stream offered" and carries on.
 */

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { ApiKeyVerifier } from '../auth/api-key-verifier.ts';
import type { MembershipCache } from '../auth/membership-cache.ts';
import { authOf, type KernelEnv, workspaceOf } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import type { Database } from '../db/database.ts';
import { authenticate, resolveWorkspace } from '../http/build-router.ts';
import { buildOpenApiDocument } from '../http/openapi-document.ts';
import type { Operation } from '../http/operations.ts';
import type { ExtensionRegistry } from '../registry/registry.ts';
import { KERNEL_VERSION } from '../version.ts';
import { ACCOUNT_SESSION_INSTRUCTIONS, accountCaller, accountTools } from './account-session.ts';
import { createMcpServer } from './mcp-server.ts';
import type { ToolCaller } from './mcp-tool.ts';
import { ToolCatalog } from './tool-catalog.ts';

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

  /** The caller's own credentials, and the request id so both log lines correlate. */
  const requester = (c: Context<KernelEnv>, workspaceId: string | undefined) => {
    const forwarded: Record<string, string> = {
      authorization: c.req.header('authorization')!,
      'x-request-id': c.get('requestId'),
      ...(workspaceId && { 'x-workspace-id': workspaceId }),
    };
    const logger = c.get('logger');
    return {
      actorId: authOf(c).actor.id,
      request: (method: string, url: string, body?: unknown) =>
        Promise.resolve(
          app.request(url, {
            method,
            headers: body === undefined ? forwarded : { ...forwarded, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
        ),
      logError: (error: unknown, message: string) => logger.error({ err: error }, message),
    };
  };

  // No X-Workspace-Id: an account session (account-session.ts) instead of an error.
  app.post(MCP_PATH, guard[0], async (c, next) => {
    if (c.req.header('x-workspace-id') !== undefined) return next();
    const server = createMcpServer(
      accountTools(catalog.all()),
      accountCaller(requester(c, undefined)),
      ACCOUNT_SESSION_INSTRUCTIONS,
    );
    return serveOne(server, c.req.raw);
  });

  app.post(MCP_PATH, guard[1], async (c) => {
    const workspace = workspaceOf(c);
    const caller: ToolCaller = {
      ...requester(c, workspace.id),
      workspaceId: workspace.id,
      role: workspace.role,
    };
    const server = createMcpServer(await catalog.forWorkspace(workspace.id), caller);
    return serveOne(server, c.req.raw);
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

/** One JSON-RPC request on a fresh server and transport (stateless). */
async function serveOne(server: Server, request: Request): Promise<Response> {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // JSON mode: the answer is complete once handleRequest resolves.
    await server.close();
  }
}
