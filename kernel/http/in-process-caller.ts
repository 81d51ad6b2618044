/**
 * The caller of a request that another request makes in process on its own behalf:
 * an MCP tool call runs its route as the very caller the `/mcp` request already
 * authenticated, microseconds earlier, with the same key.
 *
 * It travels like the act-as credential (act-as-credential.ts): in the Hono env of
 * `app.fetch(request, env)` under a symbol only this module holds, so nothing that
 * arrives over the network can produce it. The inner request still carries the
 * caller's Authorization header; what the env spares is the work already done for
 * the outer request: hashing and looking up the key (authenticate takes the auth
 * from here), and a second request id and child logger (root-app.ts takes both, so
 * the two log lines share the id). Everything else runs as for HTTP: the key's rate
 * limit (which counts the tool call, as `/mcp` itself does not), membership, the
 * enablement gate, role, validation, idempotency, the handler.
 */
import type { Context } from 'hono';
import type { Logger } from 'pino';
import type { AuthContext, KernelEnv } from '../contract/context.ts';

const CALLER = Symbol('maskin.in-process-caller');

export interface InProcessCaller {
  /** What authenticating the outer request's credentials produced. */
  auth: AuthContext;
  requestId: string;
  logger: Logger;
}

/** The env to pass to `app.fetch` for a request on behalf of `caller`. */
export function inProcessEnv(caller: InProcessCaller): object {
  return { [CALLER]: caller };
}

export function inProcessCallerOf(c: Context<KernelEnv>): InProcessCaller | undefined {
  const env = c.env as Record<symbol, unknown> | undefined;
  return typeof env === 'object' && env !== null ? (env[CALLER] as InProcessCaller | undefined) : undefined;
}
