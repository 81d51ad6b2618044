/**
 * The ToolCaller of one `/mcp` request: tools run routes through it as the caller.
 *
 * Each route runs in process with the caller's own credentials, and with the outer
 * request's verified caller, request id and logger in the env (in-process-caller.ts),
 * so the key is not checked twice and the route's request is listed in the `/mcp`
 * request's log line instead of writing one of its own.
 *
 * A class made once per `/mcp` request: its methods live on the prototype, where an
 * object literal would make a closure per method and request (and, under tsx, which
 * keeps function names, a defineProperty for each).
 */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { authOf, type KernelEnv, type Role } from '../contract/context.ts';
import { inProcessEnv, requestsMadeFor } from '../http/in-process-caller.ts';
import { inProcessRequest } from '../http/in-process-request.ts';
import type { ToolCaller } from './mcp-tool.ts';

/** What runs an in-process request: the root app. */
export interface InProcessApp {
  fetch(request: Request, env: object): Response | Promise<Response>;
}

/** The workspace a caller acts in; an account session has none (account-session.ts). */
export interface CallerScope {
  id: string;
  role: Role;
}

export class RouteCaller implements ToolCaller {
  readonly actorId: string;
  readonly workspaceId: string;
  readonly role: Role;
  private readonly forwarded: Record<string, string>;
  private readonly env: object;
  private readonly logger: Logger;

  constructor(
    private readonly app: InProcessApp,
    c: Context<KernelEnv>,
    scope: CallerScope,
  ) {
    const auth = authOf(c);
    this.actorId = auth.actor.id;
    this.workspaceId = scope.id;
    this.role = scope.role;
    this.logger = c.get('logger');
    const authorization = c.req.header('authorization')!;
    this.forwarded = scope.id ? { authorization, 'x-workspace-id': scope.id } : { authorization };
    this.env = inProcessEnv({
      auth,
      requestId: c.get('requestId'),
      logger: this.logger,
      made: requestsMadeFor(c),
    });
  }

  request(method: string, url: string, body?: unknown): Promise<Response> {
    const request = inProcessRequest(`http://localhost${url}`, {
      method,
      headers:
        body === undefined ? this.forwarded : { ...this.forwarded, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return Promise.resolve(this.app.fetch(request, this.env));
  }

  logError(error: unknown, message: string): void {
    this.logger.error({ err: error }, message);
  }
}
