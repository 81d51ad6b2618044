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
import { authOf, type KernelEnv, workspaceOf } from '../contract/context.ts';
import { ApiError } from '../contract/errors.ts';
import type { Database } from '../db/database.ts';
import { authenticate, resolveWorkspace } from '../http/build-router.ts';
import { inProcessEnv, requestsMadeFor } from '../http/in-process-caller.ts';
import { inProcessRequest } from '../http/in-process-request.ts';
import { buildOpenApiDocument } from '../http/openapi-document.ts';
import type { Operation } from '../http/operations.ts';
import type { ExtensionRegistry } from '../registry/registry.ts';
import { KERNEL_VERSION } from '../version.ts';
import { ACCOUNT_SESSION_INSTRUCTIONS, accountCaller, accountTools } from './account-session.ts';
import { directToolCall } from './direct-tool-call.ts';
import { createMcpServer } from './mcp-server.ts';
import type { ToolCaller } from './mcp-tool.ts';
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

  /**
   * Runs routes as the caller: with the caller's own credentials, and the outer
   * request's verified caller, request id and logger in the env (in-process-caller.ts),
   * so the key is not checked twice, and the route's request is listed in the /mcp
   * request's log line instead of writing one of its own.
   */
  const requester = (c: Context<KernelEnv>, workspaceId: string | undefined) => {
    const forwarded: Record<string, string> = {
      authorization: c.req.header('authorization')!,
      ...(workspaceId && { 'x-workspace-id': workspaceId }),
    };
    const logger = c.get('logger');
    const auth = authOf(c);
    const env = inProcessEnv({ auth, requestId: c.get('requestId'), logger, made: requestsMadeFor(c) });
    // Methods, not arrow-valued members: under tsx (esbuild keeps names) each named
    // function made per call also costs a defineProperty.
    return {
      actorId: auth.actor.id,
      request(method: string, url: string, body?: unknown) {
        return Promise.resolve(
          app.fetch(
            inProcessRequest(`http://localhost${url}`, {
              method,
              headers: body === undefined ? forwarded : { ...forwarded, 'content-type': 'application/json' },
              body: body === undefined ? undefined : JSON.stringify(body),
            }),
            env,
          ),
        );
      },
      logError(error: unknown, message: string) {
        logger.error({ err: error }, message);
      },
    };
  };

  // No X-Workspace-Id: an account session (account-session.ts) instead of an error.
  let accountSessionTools: WorkspaceTools | undefined;
  app.on('POST', MCP_PATH, guard[0], async (c, next) => {
    if (c.req.header('x-workspace-id') !== undefined) return next();
    accountSessionTools ??= accountTools(catalog.all());
    return answer(
      c,
      accountSessionTools,
      accountCaller(requester(c, undefined)),
      ACCOUNT_SESSION_INSTRUCTIONS,
    );
  });

  app.on('POST', MCP_PATH, guard[1], async (c) => {
    const workspace = workspaceOf(c);
    const caller: ToolCaller = {
      ...requester(c, workspace.id),
      workspaceId: workspace.id,
      role: workspace.role,
    };
    return answer(c, await catalog.forWorkspace(workspace.id), caller);
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
